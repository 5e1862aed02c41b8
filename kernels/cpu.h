/*
 * cpu.h — what the processor this process runs on can execute, detected once per call.
 *
 * The kernels' dispatch table (dispatch.h) reads these flags to choose between the scalar
 * reference and a SIMD variant. Detection never fails and never faults on any architecture: on
 * x86-64 it asks cpuid (and xgetbv, because AVX2 is usable only when the operating system saves
 * the YMM registers on a context switch); on aarch64 NEON (Advanced SIMD) is part of the base
 * architecture that Linux requires, so it is reported present (confirmed with getauxval's
 * HWCAP_ASIMD where the C library offers it). On any other architecture every flag is false.
 *
 * Nothing is allocated; nothing here can fail.
 */
#ifndef FLOE_KERNELS_CPU_H
#define FLOE_KERNELS_CPU_H

#include <stdbool.h>
#include <stddef.h>

typedef struct floe_k_cpu {
    /* x86-64 */
    bool avx2;   /* AVX2 instructions, and the OS saves YMM state (XCR0 bits 1 and 2) */
    bool bmi1;   /* andn, blsr, tzcnt... */
    bool bmi2;   /* pext, pdep, shrx... */
    bool popcnt;
    bool lzcnt;  /* ABM */
    /* aarch64 */
    bool neon;   /* Advanced SIMD */
} floe_k_cpu;

/* Fills *cpu with this processor's features (all false on an architecture Floe has no SIMD
 * kernels for). */
void floe_k_cpu_detect(floe_k_cpu *cpu);

/* True when every instruction set kernels/x86/ is compiled for (-mavx2 -mbmi2 -mbmi -mpopcnt
 * -mlzcnt) is present: the compiler may emit any of them anywhere in those files. */
bool floe_k_cpu_runs_avx2_kernels(const floe_k_cpu *cpu);

/* Writes the present features as space-separated lowercase names ("avx2 bmi1 bmi2 popcnt
 * lzcnt", "neon", or "none") into buffer (always NUL-terminated when buffer_size > 0);
 * returns buffer. */
const char *floe_k_cpu_describe(const floe_k_cpu *cpu, char *buffer, size_t buffer_size);

#endif
