/*
 * cpu.c — feature detection for the kernel dispatch table.
 *
 * Why by hand rather than __builtin_cpu_supports: it must also check that the operating system
 * enabled YMM state (xgetbv), it must report exactly the features kernels/x86/ is compiled for,
 * and the same file must build, untouched, for aarch64 (where only the #else branch exists).
 */
#include "cpu.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h> /* __get_cpuid_count, __get_cpuid_max */

/* XCR0 through xgetbv, written as an instruction so this file needs no -mxsave. Only called
 * after cpuid said OSXSAVE is set, otherwise the instruction faults. */
static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

void floe_k_cpu_detect(floe_k_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    unsigned eax, ebx, ecx, edx;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 1 || !__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx)) return;
    bool osxsave = (ecx >> 27) & 1;
    bool avx = (ecx >> 28) & 1;
    cpu->popcnt = (ecx >> 23) & 1;
    bool os_saves_ymm = osxsave && (read_xcr0() & 0x6) == 0x6; /* XMM and YMM state */
    if (max_leaf >= 7 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        cpu->avx2 = avx && os_saves_ymm && ((ebx >> 5) & 1);
        cpu->bmi1 = (ebx >> 3) & 1;
        cpu->bmi2 = (ebx >> 8) & 1;
    }
    unsigned max_extended = __get_cpuid_max(0x80000000u, NULL);
    if (max_extended >= 0x80000001u && __get_cpuid_count(0x80000001u, 0, &eax, &ebx, &ecx, &edx))
        cpu->lzcnt = (ecx >> 5) & 1;
}

#elif defined(__aarch64__)
#if defined(__linux__)
#include <sys/auxv.h> /* getauxval, AT_HWCAP */
#endif

void floe_k_cpu_detect(floe_k_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    /* Advanced SIMD is mandatory in ARMv8-A as Linux runs it; HWCAP_ASIMD (bit 1) confirms it
     * where the kernel reports it, and its absence from the auxiliary vector is not taken as
     * proof of absence (some emulators report an empty vector). */
    cpu->neon = true;
#if defined(__linux__) && defined(AT_HWCAP)
    unsigned long hwcap = getauxval(AT_HWCAP);
    if (hwcap != 0 && !(hwcap & (1ul << 1))) cpu->neon = false;
#endif
}

#else

void floe_k_cpu_detect(floe_k_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
}

#endif

bool floe_k_cpu_runs_avx2_kernels(const floe_k_cpu *cpu)
{
    return cpu->avx2 && cpu->bmi1 && cpu->bmi2 && cpu->popcnt && cpu->lzcnt;
}

const char *floe_k_cpu_describe(const floe_k_cpu *cpu, char *buffer, size_t buffer_size)
{
    if (buffer_size == 0) return buffer;
    buffer[0] = '\0';
    const struct {
        bool present;
        const char *name;
    } features[] = {
        {cpu->avx2, "avx2"},     {cpu->bmi1, "bmi1"},   {cpu->bmi2, "bmi2"},
        {cpu->popcnt, "popcnt"}, {cpu->lzcnt, "lzcnt"}, {cpu->neon, "neon"},
    };
    size_t used = 0;
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
        if (!features[i].present) continue;
        int written = snprintf(buffer + used, buffer_size - used, "%s%s", used > 0 ? " " : "",
                               features[i].name);
        if (written < 0 || (size_t)written >= buffer_size - used) return buffer; /* truncated */
        used += (size_t)written;
    }
    if (used == 0) snprintf(buffer, buffer_size, "none");
    return buffer;
}
