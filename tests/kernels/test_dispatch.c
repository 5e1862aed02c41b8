/*
 * Description: the kernel dispatch table (kernels/dispatch.h) and CPU detection (kernels/cpu.h):
 * FLOE_ISA parsing and the choice it drives on made-up CPUs (honoured, refused with a note,
 * unknown names), the table in use agreeing with the environment, floe_k_dispatch_for for every
 * ISA, one table for every thread, and the feature description.
 */
#include "kernels/cpu.h"
#include "kernels/dispatch.h"
#include "kernels/status.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(parse_isa_names)
{
    floe_k_isa isa = FLOE_K_ISA_COUNT;
    ck_assert_int_eq(floe_k_isa_parse("scalar", &isa), FLOE_OK);
    ck_assert_int_eq(isa, FLOE_K_ISA_SCALAR);
    ck_assert_int_eq(floe_k_isa_parse("AVX2", &isa), FLOE_OK);
    ck_assert_int_eq(isa, FLOE_K_ISA_AVX2);
    ck_assert_int_eq(floe_k_isa_parse("neon", &isa), FLOE_OK);
    ck_assert_int_eq(isa, FLOE_K_ISA_NEON);
    ck_assert_int_eq(floe_k_isa_parse("avx", &isa), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_isa_parse("avx2 ", &isa), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_isa_parse("", &isa), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_isa_parse("auto", &isa), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_isa_parse(NULL, &isa), FLOE_EINVAL);
    ck_assert_str_eq(floe_k_isa_name(FLOE_K_ISA_NEON), "neon");
    ck_assert_str_eq(floe_k_isa_name(FLOE_K_ISA_COUNT), "unknown");
}
END_TEST

START_TEST(choice_follows_cpu_and_request)
{
    floe_k_cpu none = {0};
    floe_k_cpu x86_full = {.avx2 = true, .bmi1 = true, .bmi2 = true, .popcnt = true, .lzcnt = true};
    floe_k_cpu x86_no_bmi2 = x86_full;
    x86_no_bmi2.bmi2 = false;
    floe_k_cpu arm = {.neon = true};
    char note[160];

#if defined(__x86_64__)
    floe_k_isa native = FLOE_K_ISA_AVX2;
    const floe_k_cpu *capable = &x86_full;
    const char *foreign = "neon";
#elif defined(__aarch64__)
    floe_k_isa native = FLOE_K_ISA_NEON;
    const floe_k_cpu *capable = &arm;
    const char *foreign = "avx2";
#else
    floe_k_isa native = FLOE_K_ISA_SCALAR;
    const floe_k_cpu *capable = &none;
    const char *foreign = "avx2";
#endif
    /* No request, "" and "auto": the best this build and CPU run, silently. */
    ck_assert_int_eq(floe_k_isa_choose(capable, NULL, note, sizeof note), native);
    ck_assert_str_eq(note, "");
    ck_assert_int_eq(floe_k_isa_choose(capable, "", note, sizeof note), native);
    ck_assert_int_eq(floe_k_isa_choose(capable, "Auto", note, sizeof note), native);
    ck_assert_str_eq(note, "");
    /* Forcing scalar always works. */
    ck_assert_int_eq(floe_k_isa_choose(capable, "scalar", note, sizeof note), FLOE_K_ISA_SCALAR);
    ck_assert_str_eq(note, "");
    /* The native ISA on a CPU without it: fall back to scalar and say why. */
    ck_assert_int_eq(floe_k_isa_choose(&none, floe_k_isa_name(native), note, sizeof note),
                     FLOE_K_ISA_SCALAR);
    if (native != FLOE_K_ISA_SCALAR) ck_assert_ptr_nonnull(strstr(note, "this CPU lacks it"));
    /* The other architecture's ISA is not in this build. */
    ck_assert_int_eq(floe_k_isa_choose(capable, foreign, note, sizeof note), native);
    ck_assert_ptr_nonnull(strstr(note, "not in this build"));
    ck_assert_ptr_nonnull(strstr(note, floe_k_isa_name(native)));
    /* An unknown name: the best, with a note naming the bad value. */
    ck_assert_int_eq(floe_k_isa_choose(capable, "sse9", note, sizeof note), native);
    ck_assert_ptr_nonnull(strstr(note, "FLOE_ISA=sse9"));
    /* AVX2 kernels need every feature their files are compiled for. */
    ck_assert(!floe_k_isa_available(FLOE_K_ISA_AVX2, &x86_no_bmi2));
    ck_assert(!floe_k_isa_available(FLOE_K_ISA_NEON, &x86_full) ||
              native == FLOE_K_ISA_NEON);
    ck_assert(floe_k_isa_available(FLOE_K_ISA_SCALAR, &none));
    ck_assert(!floe_k_isa_available(FLOE_K_ISA_COUNT, &x86_full));
    (void)arm;
    /* A zero-size note buffer is never written. */
    ck_assert_int_eq(floe_k_isa_choose(&none, "bogus", NULL, 0), FLOE_K_ISA_SCALAR);
}
END_TEST

START_TEST(table_in_use_agrees_with_environment)
{
    const floe_k_dispatch *table = floe_k_dispatch_get();
    ck_assert_ptr_nonnull(table);
    ck_assert_int_eq(table->isa, floe_k_isa_active());
    ck_assert_str_eq(table->name, floe_k_isa_name(table->isa));
    ck_assert(table->unpack32 != NULL && table->hash_i32 != NULL && table->hash_i64 != NULL &&
              table->hash_i128 != NULL && table->hash_string != NULL);
    floe_k_cpu cpu;
    floe_k_cpu_detect(&cpu);
    char note[160];
    floe_k_isa expected = floe_k_isa_choose(&cpu, getenv("FLOE_ISA"), note, sizeof note);
    ck_assert_int_eq(table->isa, expected);
    ck_assert_str_eq(floe_k_dispatch_note(), note);
    const char *requested = getenv("FLOE_ISA");
    if (requested != NULL && strcmp(requested, "scalar") == 0)
        ck_assert_int_eq(table->isa, FLOE_K_ISA_SCALAR);
    char line[256];
    floe_k_dispatch_describe(line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, table->name));
    ck_assert_ptr_nonnull(strstr(line, "FLOE_ISA="));
}
END_TEST

START_TEST(tables_for_every_isa)
{
    floe_k_cpu cpu;
    floe_k_cpu_detect(&cpu);
    int available = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table = NULL;
        int status = floe_k_dispatch_for((floe_k_isa)isa, &table);
        if (floe_k_isa_available((floe_k_isa)isa, &cpu)) {
            ck_assert_int_eq(status, FLOE_OK);
            ck_assert_int_eq(table->isa, isa);
            available++;
        } else {
            ck_assert_int_eq(status, FLOE_EUNAVAILABLE);
            ck_assert_ptr_null(table);
        }
    }
    ck_assert_int_ge(available, 1);
    const floe_k_dispatch *table;
    ck_assert_int_eq(floe_k_dispatch_for(FLOE_K_ISA_COUNT, &table), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_dispatch_for((floe_k_isa)-1, &table), FLOE_EINVAL);
#if defined(__aarch64__)
    ck_assert(cpu.neon); /* NEON is part of every aarch64 Linux machine */
    ck_assert_int_eq(floe_k_dispatch_for(FLOE_K_ISA_NEON, &table), FLOE_OK);
#endif
#if !defined(__x86_64__)
    ck_assert_int_eq(floe_k_dispatch_for(FLOE_K_ISA_AVX2, &table), FLOE_EUNAVAILABLE);
#endif
}
END_TEST

static void *get_table(void *unused)
{
    (void)unused;
    return (void *)(uintptr_t)floe_k_dispatch_get();
}

START_TEST(one_table_for_every_thread)
{
    pthread_t threads[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, get_table, NULL), 0);
    const floe_k_dispatch *mine = floe_k_dispatch_get();
    for (int i = 0; i < 8; i++) {
        void *theirs;
        pthread_join(threads[i], &theirs);
        ck_assert_ptr_eq((const void *)mine, (const void *)theirs);
    }
}
END_TEST

START_TEST(cpu_description)
{
    floe_k_cpu cpu = {.avx2 = true, .bmi2 = true};
    char text[64];
    ck_assert_str_eq(floe_k_cpu_describe(&cpu, text, sizeof text), "avx2 bmi2");
    floe_k_cpu none = {0};
    ck_assert_str_eq(floe_k_cpu_describe(&none, text, sizeof text), "none");
    char tiny[6];
    floe_k_cpu_describe(&cpu, tiny, sizeof tiny); /* truncates without overflow */
    ck_assert_uint_lt(strlen(tiny), sizeof tiny);
    floe_k_cpu_detect(&cpu);
#if defined(__x86_64__)
    ck_assert(!cpu.neon);
#elif defined(__aarch64__)
    ck_assert(!cpu.avx2 && !cpu.bmi2);
#endif
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("dispatch");
    TCase *cases = tcase_create("dispatch");
    tcase_add_test(cases, parse_isa_names);
    tcase_add_test(cases, choice_follows_cpu_and_request);
    tcase_add_test(cases, table_in_use_agrees_with_environment);
    tcase_add_test(cases, tables_for_every_isa);
    tcase_add_test(cases, one_table_for_every_thread);
    tcase_add_test(cases, cpu_description);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
