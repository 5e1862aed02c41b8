/*
 * dispatch.h — which variant of each kernel runs: one table of function pointers, chosen once.
 *
 * Every kernel has a scalar reference and may have AVX2 (x86-64) and NEON (aarch64) variants
 * (DESIGN.md "Kernels across ISAs"). floe_k_dispatch_get() returns the table for the best ISA that
 * both this build contains and this CPU runs, filled on first use (thread-safe, pthread_once) and
 * constant afterwards. The environment variable FLOE_ISA=scalar|avx2|neon (or auto) forces one,
 * for tests and benchmarks; forcing an ISA the build or the CPU lacks, or an unknown name, never
 * fails: the best available ISA is used and floe_k_dispatch_note() says why.
 *
 * floe_k_dispatch_for() hands out the table of any ISA available here, so tests can run every
 * variant against the scalar one. Tables are static: nothing is allocated or freed.
 *
 * Errors: floe_k_dispatch_for returns FLOE_EINVAL for a value outside floe_k_isa and
 * FLOE_EUNAVAILABLE for an ISA this build or CPU cannot run; floe_k_isa_parse FLOE_EINVAL for an
 * unknown name.
 */
#ifndef FLOE_KERNELS_DISPATCH_H
#define FLOE_KERNELS_DISPATCH_H

#include "bitunpack.h" /* floe_k_unpack32_fn */
#include "cpu.h"       /* floe_k_cpu */
#include "decode.h"    /* floe_k_dictionary_gather_*_fn, floe_k_delta_prefix_*_fn, ... */
#include "filter.h"    /* floe_k_filter_*_fn */
#include "hash.h"      /* floe_k_hash_*_fn */
#include "hashtable.h" /* floe_k_ht_*_fn */

#include <stddef.h>

typedef enum floe_k_isa {
    FLOE_K_ISA_SCALAR = 0,
    FLOE_K_ISA_AVX2 = 1,
    FLOE_K_ISA_NEON = 2,
    FLOE_K_ISA_COUNT
} floe_k_isa;

typedef struct floe_k_dispatch {
    floe_k_isa isa;
    const char *name;              /* "scalar", "avx2", "neon" */
    floe_k_unpack32_fn unpack32;
    floe_k_hash_i32_fn hash_i32;
    floe_k_hash_i64_fn hash_i64;
    floe_k_hash_i128_fn hash_i128;
    floe_k_hash_string_fn hash_string;
    floe_k_ht_find_or_insert_fn ht_find_or_insert;
    floe_k_ht_find_fn ht_find;
    floe_k_ht_find_or_insert_sum_f64_fn ht_find_or_insert_sum_f64;
    floe_k_filter_i32_fn filter_i32;
    floe_k_filter_i64_fn filter_i64;
    floe_k_filter_f32_fn filter_f32;
    floe_k_filter_f64_fn filter_f64;
    floe_k_dictionary_gather_u32_fn dictionary_gather_u32;
    floe_k_dictionary_gather_u64_fn dictionary_gather_u64;
    floe_k_max_u32_fn max_u32;
    floe_k_byte_stream_split_fn byte_stream_split;
    floe_k_levels_to_validity_fn levels_to_validity;
    floe_k_spread_u32_fn spread_u32;
    floe_k_spread_u64_fn spread_u64;
    floe_k_delta_prefix_u32_fn delta_prefix_u32;
    floe_k_delta_prefix_u64_fn delta_prefix_u64;
} floe_k_dispatch;

/* The table in use (never NULL). */
const floe_k_dispatch *floe_k_dispatch_get(void);

/* The table of `isa`, when this build and CPU can run it. */
int floe_k_dispatch_for(floe_k_isa isa, const floe_k_dispatch **out);

/* The ISA of the table in use, and its name. */
floe_k_isa floe_k_isa_active(void);
const char *floe_k_isa_name(floe_k_isa isa); /* "unknown" outside the enum */

/* Why the table in use is not the one FLOE_ISA asked for ("" when nothing was refused):
 * e.g. "FLOE_ISA=neon: not in this build (x86-64); using avx2". */
const char *floe_k_dispatch_note(void);

/* "scalar", "avx2", "neon" (any case) -> *isa. "auto" and "" are not ISAs: FLOE_EINVAL. */
int floe_k_isa_parse(const char *text, floe_k_isa *isa);

/* True when this build contains `isa`'s kernels and `cpu` can run them. */
bool floe_k_isa_available(floe_k_isa isa, const floe_k_cpu *cpu);

/* The choice floe_k_dispatch_get makes, as a pure function for tests: `requested` is FLOE_ISA's
 * value (NULL, "" or "auto": the best available). When the request cannot be honoured the reason
 * is written to note (else note is set to ""). */
floe_k_isa floe_k_isa_choose(const floe_k_cpu *cpu, const char *requested, char *note,
                             size_t note_size);

/* One line for `floe-engine info`: "avx2 (cpu: avx2 bmi1 bmi2 popcnt lzcnt; FLOE_ISA=scalar|avx2
 * to force)", followed by the note when there is one. Returns buffer. */
const char *floe_k_dispatch_describe(char *buffer, size_t buffer_size);

#endif
