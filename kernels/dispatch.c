/*
 * dispatch.c — chooses each kernel's variant once, from the CPU and FLOE_ISA.
 *
 * Built with baseline flags: it only takes the addresses of the SIMD variants, and calls them
 * only after cpu.c said the CPU runs them. The AVX2 symbols exist only in x86-64 builds and the
 * NEON ones only in aarch64 builds (kernels/CMakeLists.txt compiles x86/ or arm/), hence the
 * #if around each table. The plain entry points (floe_k_unpack32, floe_k_hash_*, decode.h's
 * floe_k_dictionary_gather_* ...) live here and call through the table.
 */
#include "dispatch.h"

#include "status.h"

#include <ctype.h>
#include <pthread.h> /* pthread_once */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define FLOE_BUILD_HAS_AVX2 1
#else
#define FLOE_BUILD_HAS_AVX2 0
#endif
#if defined(__aarch64__)
#define FLOE_BUILD_HAS_NEON 1
#else
#define FLOE_BUILD_HAS_NEON 0
#endif
#if defined(__x86_64__)
#define FLOE_BUILD_ARCH "x86-64"
#elif defined(__aarch64__)
#define FLOE_BUILD_ARCH "aarch64"
#else
#define FLOE_BUILD_ARCH "no SIMD kernels"
#endif

static const floe_k_dispatch scalar_table = {
    .isa = FLOE_K_ISA_SCALAR,
    .name = "scalar",
    .unpack32 = floe_k_unpack32_scalar,
    .hash_i32 = floe_k_hash_i32_scalar,
    .hash_i64 = floe_k_hash_i64_scalar,
    .hash_i128 = floe_k_hash_i128_scalar,
    .hash_string = floe_k_hash_string_scalar,
    .ht_find_or_insert = floe_k_ht_find_or_insert_scalar,
    .ht_find = floe_k_ht_find_scalar,
    .ht_find_or_insert_sum_f64 = floe_k_ht_find_or_insert_sum_f64_scalar,
    .filter_i32 = floe_k_filter_i32_scalar,
    .filter_i64 = floe_k_filter_i64_scalar,
    .filter_f32 = floe_k_filter_f32_scalar,
    .filter_f64 = floe_k_filter_f64_scalar,
    .dictionary_gather_u32 = floe_k_dictionary_gather_u32_scalar,
    .dictionary_gather_u64 = floe_k_dictionary_gather_u64_scalar,
    .max_u32 = floe_k_max_u32_scalar,
    .byte_stream_split = floe_k_byte_stream_split_scalar,
    .levels_to_validity = floe_k_levels_to_validity_scalar,
    .spread_u32 = floe_k_spread_u32_scalar,
    .spread_u64 = floe_k_spread_u64_scalar,
    .delta_prefix_u32 = floe_k_delta_prefix_u32_scalar,
    .delta_prefix_u64 = floe_k_delta_prefix_u64_scalar,
};

#if FLOE_BUILD_HAS_AVX2
static const floe_k_dispatch avx2_table = {
    .isa = FLOE_K_ISA_AVX2,
    .name = "avx2",
    .unpack32 = floe_k_unpack32_avx2,
    .hash_i32 = floe_k_hash_i32_avx2,
    .hash_i64 = floe_k_hash_i64_avx2,
    .hash_i128 = floe_k_hash_i128_avx2,
    .hash_string = floe_k_hash_string_avx2,
    .ht_find_or_insert = floe_k_ht_find_or_insert_avx2,
    .ht_find = floe_k_ht_find_avx2,
    .ht_find_or_insert_sum_f64 = floe_k_ht_find_or_insert_sum_f64_avx2,
    .filter_i32 = floe_k_filter_i32_avx2,
    .filter_i64 = floe_k_filter_i64_avx2,
    .filter_f32 = floe_k_filter_f32_avx2,
    .filter_f64 = floe_k_filter_f64_avx2,
    .dictionary_gather_u32 = floe_k_dictionary_gather_u32_avx2,
    .dictionary_gather_u64 = floe_k_dictionary_gather_u64_avx2,
    .max_u32 = floe_k_max_u32_avx2,
    .byte_stream_split = floe_k_byte_stream_split_avx2,
    .levels_to_validity = floe_k_levels_to_validity_avx2,
    .spread_u32 = floe_k_spread_u32_avx2,
    .spread_u64 = floe_k_spread_u64_avx2,
    .delta_prefix_u32 = floe_k_delta_prefix_u32_avx2,
    .delta_prefix_u64 = floe_k_delta_prefix_u64_avx2,
};
#endif

#if FLOE_BUILD_HAS_NEON
/* Hashing stays scalar on aarch64: see hash.h for why NEON does not pay there. */
static const floe_k_dispatch neon_table = {
    .isa = FLOE_K_ISA_NEON,
    .name = "neon",
    .unpack32 = floe_k_unpack32_neon,
    .hash_i32 = floe_k_hash_i32_scalar,
    .hash_i64 = floe_k_hash_i64_scalar,
    .hash_i128 = floe_k_hash_i128_scalar,
    .hash_string = floe_k_hash_string_scalar,
    .ht_find_or_insert = floe_k_ht_find_or_insert_neon,
    .ht_find = floe_k_ht_find_neon,
    .ht_find_or_insert_sum_f64 = floe_k_ht_find_or_insert_sum_f64_neon,
    .filter_i32 = floe_k_filter_i32_neon,
    .filter_i64 = floe_k_filter_i64_neon,
    .filter_f32 = floe_k_filter_f32_neon,
    .filter_f64 = floe_k_filter_f64_neon,
    /* No NEON gather instruction, and no cheap mask-driven lane permute for the spread: the
     * scalar loops (unrolled independent loads) are what NEON code would do anyway. */
    .dictionary_gather_u32 = floe_k_dictionary_gather_u32_scalar,
    .dictionary_gather_u64 = floe_k_dictionary_gather_u64_scalar,
    .max_u32 = floe_k_max_u32_neon,
    .byte_stream_split = floe_k_byte_stream_split_neon,
    .levels_to_validity = floe_k_levels_to_validity_neon,
    .spread_u32 = floe_k_spread_u32_scalar,
    .spread_u64 = floe_k_spread_u64_scalar,
    .delta_prefix_u32 = floe_k_delta_prefix_u32_neon,
    .delta_prefix_u64 = floe_k_delta_prefix_u64_neon,
};
#endif

static const floe_k_dispatch *table_of(floe_k_isa isa)
{
    switch (isa) {
    case FLOE_K_ISA_SCALAR: return &scalar_table;
#if FLOE_BUILD_HAS_AVX2
    case FLOE_K_ISA_AVX2: return &avx2_table;
#endif
#if FLOE_BUILD_HAS_NEON
    case FLOE_K_ISA_NEON: return &neon_table;
#endif
    default: return NULL;
    }
}

const char *floe_k_isa_name(floe_k_isa isa)
{
    switch (isa) {
    case FLOE_K_ISA_SCALAR: return "scalar";
    case FLOE_K_ISA_AVX2: return "avx2";
    case FLOE_K_ISA_NEON: return "neon";
    default: return "unknown";
    }
}

int floe_k_isa_parse(const char *text, floe_k_isa *isa)
{
    if (text == NULL) return FLOE_EINVAL;
    for (int candidate = 0; candidate < FLOE_K_ISA_COUNT; candidate++) {
        const char *name = floe_k_isa_name((floe_k_isa)candidate);
        size_t k = 0;
        while (name[k] != '\0' && tolower((unsigned char)text[k]) == name[k]) k++;
        if (name[k] == '\0' && text[k] == '\0') {
            *isa = (floe_k_isa)candidate;
            return FLOE_OK;
        }
    }
    return FLOE_EINVAL;
}

bool floe_k_isa_available(floe_k_isa isa, const floe_k_cpu *cpu)
{
    switch (isa) {
    case FLOE_K_ISA_SCALAR: return true;
    case FLOE_K_ISA_AVX2: return FLOE_BUILD_HAS_AVX2 && floe_k_cpu_runs_avx2_kernels(cpu);
    case FLOE_K_ISA_NEON: return FLOE_BUILD_HAS_NEON && cpu->neon;
    default: return false;
    }
}

static floe_k_isa best_available(const floe_k_cpu *cpu)
{
    if (floe_k_isa_available(FLOE_K_ISA_AVX2, cpu)) return FLOE_K_ISA_AVX2;
    if (floe_k_isa_available(FLOE_K_ISA_NEON, cpu)) return FLOE_K_ISA_NEON;
    return FLOE_K_ISA_SCALAR;
}

static int is_auto(const char *requested)
{
    if (requested == NULL || requested[0] == '\0') return 1;
    const char *word = "auto";
    size_t k = 0;
    while (word[k] != '\0' && tolower((unsigned char)requested[k]) == word[k]) k++;
    return word[k] == '\0' && requested[k] == '\0';
}

floe_k_isa floe_k_isa_choose(const floe_k_cpu *cpu, const char *requested, char *note,
                             size_t note_size)
{
    if (note_size > 0) note[0] = '\0';
    floe_k_isa best = best_available(cpu);
    if (is_auto(requested)) return best;
    floe_k_isa wanted;
    if (floe_k_isa_parse(requested, &wanted) != FLOE_OK) {
        if (note_size > 0)
            snprintf(note, note_size,
                     "FLOE_ISA=%.64s: not one of scalar, avx2, neon, auto; using %s", requested,
                     floe_k_isa_name(best));
        return best;
    }
    if (floe_k_isa_available(wanted, cpu)) return wanted;
    bool in_build = (wanted == FLOE_K_ISA_AVX2 && FLOE_BUILD_HAS_AVX2) ||
                    (wanted == FLOE_K_ISA_NEON && FLOE_BUILD_HAS_NEON);
    if (note_size > 0)
        snprintf(note, note_size, "FLOE_ISA=%s: %s; using %s", floe_k_isa_name(wanted),
                 in_build ? "this CPU lacks it" : "not in this build (" FLOE_BUILD_ARCH ")",
                 floe_k_isa_name(best));
    return best;
}

static struct {
    pthread_once_t once;
    const floe_k_dispatch *table;
    floe_k_cpu cpu;
    char note[160];
} dispatch_state = {PTHREAD_ONCE_INIT, NULL, {0}, ""};

static void dispatch_init(void)
{
    floe_k_cpu_detect(&dispatch_state.cpu);
    floe_k_isa isa = floe_k_isa_choose(&dispatch_state.cpu, getenv("FLOE_ISA"),
                                       dispatch_state.note, sizeof dispatch_state.note);
    dispatch_state.table = table_of(isa);
    if (dispatch_state.table == NULL) dispatch_state.table = &scalar_table; /* unreachable */
}

const floe_k_dispatch *floe_k_dispatch_get(void)
{
    pthread_once(&dispatch_state.once, dispatch_init);
    return dispatch_state.table;
}

int floe_k_dispatch_for(floe_k_isa isa, const floe_k_dispatch **out)
{
    if ((int)isa < 0 || isa >= FLOE_K_ISA_COUNT) return FLOE_EINVAL;
    floe_k_dispatch_get(); /* detects the CPU once */
    if (!floe_k_isa_available(isa, &dispatch_state.cpu)) return FLOE_EUNAVAILABLE;
    *out = table_of(isa);
    return FLOE_OK;
}

floe_k_isa floe_k_isa_active(void)
{
    return floe_k_dispatch_get()->isa;
}

const char *floe_k_dispatch_note(void)
{
    floe_k_dispatch_get();
    return dispatch_state.note;
}

const char *floe_k_dispatch_describe(char *buffer, size_t buffer_size)
{
    const floe_k_dispatch *table = floe_k_dispatch_get();
    char features[96];
    floe_k_cpu_describe(&dispatch_state.cpu, features, sizeof features);
    const char *choices = FLOE_BUILD_HAS_AVX2   ? "scalar|avx2"
                          : FLOE_BUILD_HAS_NEON ? "scalar|neon"
                                                : "scalar";
    snprintf(buffer, buffer_size, "%s (cpu: %s; FLOE_ISA=%s to force)%s%s", table->name, features,
             choices, dispatch_state.note[0] != '\0' ? "; " : "", dispatch_state.note);
    return buffer;
}

/* The plain entry points. */

int floe_k_unpack32(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                    unsigned bit_width)
{
    return floe_k_dispatch_get()->unpack32(dst, src, src_size, count, bit_width);
}

void floe_k_hash_i32(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                     const uint16_t *selection, size_t count, uint64_t seed)
{
    floe_k_dispatch_get()->hash_i32(hashes, values, validity, selection, count, seed, false);
}

void floe_k_hash_combine_i32(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                             const uint16_t *selection, size_t count)
{
    floe_k_dispatch_get()->hash_i32(hashes, values, validity, selection, count, 0, true);
}

void floe_k_hash_i64(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                     const uint16_t *selection, size_t count, uint64_t seed)
{
    floe_k_dispatch_get()->hash_i64(hashes, values, validity, selection, count, seed, false);
}

void floe_k_hash_combine_i64(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                             const uint16_t *selection, size_t count)
{
    floe_k_dispatch_get()->hash_i64(hashes, values, validity, selection, count, 0, true);
}

void floe_k_hash_i128(uint64_t *hashes, const floe_int128 *values, const uint64_t *validity,
                      const uint16_t *selection, size_t count, uint64_t seed)
{
    floe_k_dispatch_get()->hash_i128(hashes, values, validity, selection, count, seed, false);
}

void floe_k_hash_combine_i128(uint64_t *hashes, const floe_int128 *values,
                              const uint64_t *validity, const uint16_t *selection, size_t count)
{
    floe_k_dispatch_get()->hash_i128(hashes, values, validity, selection, count, 0, true);
}

void floe_k_hash_string(uint64_t *hashes, const floe_string_ref *refs, const unsigned char *heap,
                        const uint64_t *validity, const uint16_t *selection, size_t count,
                        uint64_t seed)
{
    floe_k_dispatch_get()->hash_string(hashes, refs, heap, validity, selection, count, seed,
                                       false);
}

void floe_k_hash_combine_string(uint64_t *hashes, const floe_string_ref *refs,
                                const unsigned char *heap, const uint64_t *validity,
                                const uint16_t *selection, size_t count)
{
    floe_k_dispatch_get()->hash_string(hashes, refs, heap, validity, selection, count, 0, true);
}

void floe_k_dictionary_gather_u32(uint32_t *dst, const uint32_t *dictionary,
                                  const uint32_t *codes, size_t count)
{
    floe_k_dispatch_get()->dictionary_gather_u32(dst, dictionary, codes, count);
}

void floe_k_dictionary_gather_u64(uint64_t *dst, const uint64_t *dictionary,
                                  const uint32_t *codes, size_t count)
{
    floe_k_dispatch_get()->dictionary_gather_u64(dst, dictionary, codes, count);
}

uint32_t floe_k_max_u32(const uint32_t *values, size_t count)
{
    return floe_k_dispatch_get()->max_u32(values, count);
}

void floe_k_byte_stream_split(void *dst, const uint8_t *src, size_t count, size_t width)
{
    floe_k_dispatch_get()->byte_stream_split(dst, src, count, width);
}

size_t floe_k_levels_to_validity(uint64_t *validity, size_t first_bit, const uint32_t *levels,
                                 size_t count, uint32_t defined_level)
{
    return floe_k_dispatch_get()->levels_to_validity(validity, first_bit, levels, count,
                                                     defined_level);
}

size_t floe_k_spread_u32(uint32_t *dst, const uint32_t *values, const uint64_t *validity,
                         size_t first_bit, size_t count)
{
    return floe_k_dispatch_get()->spread_u32(dst, values, validity, first_bit, count);
}

size_t floe_k_spread_u64(uint64_t *dst, const uint64_t *values, const uint64_t *validity,
                         size_t first_bit, size_t count)
{
    return floe_k_dispatch_get()->spread_u64(dst, values, validity, first_bit, count);
}

uint32_t floe_k_delta_prefix_u32(uint32_t *dst, const uint32_t *deltas, size_t count,
                                 uint32_t min_delta, uint32_t last)
{
    return floe_k_dispatch_get()->delta_prefix_u32(dst, deltas, count, min_delta, last);
}

uint64_t floe_k_delta_prefix_u64(uint64_t *dst, const uint64_t *deltas, size_t count,
                                 uint64_t min_delta, uint64_t last)
{
    return floe_k_dispatch_get()->delta_prefix_u64(dst, deltas, count, min_delta, last);
}
