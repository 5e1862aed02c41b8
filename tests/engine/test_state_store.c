/*
 * Description: the state manifest (engine/state_store.h): building, copying, writing and reading
 * back a manifest with several sets; bucket splitting (bucket b of B becomes 2b or 2b+1 of 2B for
 * every hash); a non-aggregating table's output files (rows, deleted rows, delete files, known
 * and unknown lineage) survive the round trip and a manifest without them still reads; every
 * kind of malformed manifest is FLOE_ECORRUPT naming the file and the problem; buckets'
 * overlays survive the round trip (format-version 2), are listed among the paths and are
 * dropped by a new bucket;
 * a newer format version is FLOE_EUNSUPPORTED; allocation failure at every step.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "engine/state_store.h"
#include "kernels/memory.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void build(floe_eng_state_manifest *manifest)
{
    floe_eng_state_manifest_init(manifest);
    manifest->refresh_number = 7;
    floe_eng_state_set *aggregate = NULL, *left = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_add_set(manifest, "aggregate", 4, 2, &aggregate, NULL),
                     0);
    ck_assert_int_eq(floe_eng_state_set_bucket(aggregate, 3, "/t/floe/state/b3.parquet", 10,
                                               "/t/data/b3.parquet", 9, NULL),
                     0);
    ck_assert_int_eq(floe_eng_state_set_bucket(aggregate, 0, "/t/floe/state/b0.parquet", 5, NULL, 0,
                                               NULL),
                     0);
    /* bucket 3's overlay: every file; bucket 0's: only a state file (its groups all removed) */
    char overlay_state[] = "/t/floe/state/o3.parquet", overlay_output[] = "/t/data/o3.parquet";
    char overlay_deletes[] = "/t/data/d3.parquet", only_state[] = "/t/floe/state/o0.parquet";
    floe_eng_state_overlay overlay = {overlay_state, 4, overlay_output, 3, overlay_deletes, 2};
    ck_assert_int_eq(floe_eng_state_set_overlay(aggregate, 3, &overlay, NULL), 0);
    floe_eng_state_overlay removals = {only_state, 2, NULL, 0, NULL, 0};
    ck_assert_int_eq(floe_eng_state_set_overlay(aggregate, 0, &removals, NULL), 0);
    ck_assert_int_eq(floe_eng_state_manifest_add_set(manifest, "join-left", 1, 1, &left, NULL), 0);
    ck_assert_int_eq(floe_eng_state_set_bucket(left, 0, "/t/floe/state/l.parquet", 100, NULL, 0,
                                               NULL),
                     0);
    floe_eng_state_set *rows = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_add_set(manifest, "rows", 1, 0, &rows, NULL), 0);
    char deletes_a[] = "/t/data/del-1.parquet", deletes_b[] = "/t/data/del-2.parquet";
    char source_a[] = "/s/data/a.parquet", source_b[] = "/s/data/b.parquet";
    char *deletes[] = {deletes_a, deletes_b}, *sources[] = {source_a, source_b};
    char with_lineage[] = "/t/data/o1.parquet", unknown_lineage[] = "/t/data/o2.parquet";
    floe_eng_state_output_file known = {with_lineage, 10, 3, deletes, 2, true, sources, 2};
    floe_eng_state_output_file unknown = {unknown_lineage, 4, 0, NULL, 0, false, NULL, 0};
    ck_assert_int_eq(floe_eng_state_set_add_file(rows, &known, NULL), 0);
    ck_assert_int_eq(floe_eng_state_set_add_file(rows, &unknown, NULL), 0);
}

static void check_same(const floe_eng_state_manifest *a, const floe_eng_state_manifest *b)
{
    ck_assert_int_eq(a->refresh_number, b->refresh_number);
    ck_assert_uint_eq(a->set_count, b->set_count);
    for (uint32_t i = 0; i < a->set_count; i++) {
        ck_assert_str_eq(a->sets[i].name, b->sets[i].name);
        ck_assert_uint_eq(a->sets[i].bucket_count, b->sets[i].bucket_count);
        ck_assert_uint_eq(a->sets[i].key_column_count, b->sets[i].key_column_count);
        for (uint32_t k = 0; k < a->sets[i].bucket_count; k++) {
            const floe_eng_state_bucket *x = &a->sets[i].buckets[k], *y = &b->sets[i].buckets[k];
            ck_assert_pstr_eq(x->state_path, y->state_path);
            ck_assert_pstr_eq(x->output_path, y->output_path);
            ck_assert_int_eq(x->state_rows, y->state_rows);
            ck_assert_int_eq(x->output_rows, y->output_rows);
            ck_assert(x->has_overlay == y->has_overlay);
            ck_assert_pstr_eq(x->overlay.state_path, y->overlay.state_path);
            ck_assert_pstr_eq(x->overlay.output_path, y->overlay.output_path);
            ck_assert_pstr_eq(x->overlay.deletes_path, y->overlay.deletes_path);
            ck_assert_int_eq(x->overlay.state_rows, y->overlay.state_rows);
            ck_assert_int_eq(x->overlay.output_rows, y->overlay.output_rows);
            ck_assert_int_eq(x->overlay.deleted_rows, y->overlay.deleted_rows);
        }
        ck_assert_uint_eq(a->sets[i].file_count, b->sets[i].file_count);
        for (uint32_t f = 0; f < a->sets[i].file_count; f++) {
            const floe_eng_state_output_file *x = &a->sets[i].files[f], *y = &b->sets[i].files[f];
            ck_assert_str_eq(x->path, y->path);
            ck_assert_int_eq(x->rows, y->rows);
            ck_assert_int_eq(x->deleted_rows, y->deleted_rows);
            ck_assert_uint_eq(x->delete_count, y->delete_count);
            for (uint32_t d = 0; d < x->delete_count; d++)
                ck_assert_str_eq(x->deletes[d], y->deletes[d]);
            ck_assert(x->sources_known == y->sources_known);
            ck_assert_uint_eq(x->source_count, y->source_count);
            for (uint32_t k = 0; k < x->source_count; k++)
                ck_assert_str_eq(x->sources[k], y->sources[k]);
        }
    }
}

START_TEST(write_read_round_trip)
{
    char directory[] = "/tmp/floe-state-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(directory));
    floe_eng_state_manifest manifest, read_back, copy;
    build(&manifest);
    char *path = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_state_manifest_write(directory, &manifest, &path, &err), 0);
    ck_assert_ptr_nonnull(strstr(path, "/floe/state/manifest-"));
    ck_assert_int_eq(floe_eng_state_manifest_read(path, &read_back, &err), 0);
    check_same(&manifest, &read_back);
    ck_assert_int_eq(floe_eng_state_manifest_copy(&read_back, &copy, &err), 0);
    check_same(&manifest, &copy);

    /* A second write never reuses a name. */
    char *second = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_write(directory, &manifest, &second, &err), 0);
    ck_assert_str_ne(path, second);

    const char **paths = NULL;
    size_t count = 0;
    ck_assert_int_eq(floe_eng_state_manifest_paths(&copy, &paths, &count, &err), 0);
    ck_assert_uint_eq(count, 12);
    const char *expected[] = {
        "/t/floe/state/b0.parquet", "/t/floe/state/o0.parquet", "/t/floe/state/b3.parquet",
        "/t/data/b3.parquet",       "/t/floe/state/o3.parquet", "/t/data/o3.parquet",
        "/t/data/d3.parquet",       "/t/floe/state/l.parquet",  "/t/data/o1.parquet",
        "/t/data/del-1.parquet",    "/t/data/del-2.parquet",    "/t/data/o2.parquet",
    };
    for (size_t i = 0; i < count; i++) ck_assert_str_eq(paths[i], expected[i]);
    /* With an overlay the manifest says format-version 2; set_bucket drops the overlay. */
    FILE *written = fopen(path, "r");
    char text[4096] = {0};
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, written), 0);
    fclose(written);
    ck_assert_ptr_nonnull(strstr(text, "\"format-version\": 2"));
    floe_eng_state_set *aggregate = floe_eng_state_manifest_find_set(&copy, "aggregate");
    ck_assert_int_eq(floe_eng_state_set_bucket(aggregate, 0, "/t/floe/state/b0.parquet", 5, NULL,
                                               0, NULL),
                     0);
    ck_assert(!aggregate->buckets[0].has_overlay);
    ck_assert_ptr_null(aggregate->buckets[0].overlay.state_path);
    ck_assert_int_eq(floe_eng_state_set_overlay(aggregate, 3, NULL, NULL), 0);
    ck_assert(!aggregate->buckets[3].has_overlay);
    ck_assert_str_eq(aggregate->buckets[3].state_path, "/t/floe/state/b3.parquet");
    floe_free(paths);
    const floe_eng_state_set *rows = floe_eng_state_manifest_find_set(&read_back, "rows");
    ck_assert_ptr_nonnull(rows);
    ck_assert(rows->files[0].sources_known && !rows->files[1].sources_known);

    ck_assert_ptr_nonnull(floe_eng_state_manifest_find_set(&copy, "join-left"));
    ck_assert_ptr_null(floe_eng_state_manifest_find_set(&copy, "join-right"));
    unlink(path);
    unlink(second);
    floe_free(path);
    floe_free(second);
    floe_eng_state_manifest_fini(&manifest);
    floe_eng_state_manifest_fini(&read_back);
    floe_eng_state_manifest_fini(&copy);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    ck_assert_int_eq(system(command), 0);
}
END_TEST

START_TEST(buckets_split_in_two)
{
    uint64_t state = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 20000; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        uint64_t hash = state ^ (state >> 29);
        ck_assert_uint_eq(floe_eng_state_bucket_of(hash, 1), 0);
        for (uint32_t count = 1; count < FLOE_ENG_STATE_MAX_BUCKETS; count *= 2) {
            uint32_t bucket = floe_eng_state_bucket_of(hash, count);
            ck_assert_uint_lt(bucket, count);
            ck_assert_uint_eq(floe_eng_state_bucket_of(hash, count * 2) / 2, bucket);
        }
    }
    ck_assert_uint_eq(floe_eng_state_bucket_of(UINT64_MAX, 16), 15);
    ck_assert_uint_eq(floe_eng_state_bucket_of(0, 16), 0);
}
END_TEST

static void expect_error(const char *json, int code, const char *fragment)
{
    floe_eng_state_manifest manifest;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_state_manifest_parse(json, strlen(json), "m.json", &manifest, &err);
    ck_assert_msg(status == code, "%s: status %d (%s)", json, status, err.message);
    ck_assert_msg(strstr(err.message, "m.json") != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, fragment) != NULL, "%s: %s", json, err.message);
    ck_assert_uint_eq(manifest.set_count, 0);
    floe_eng_state_manifest_fini(&manifest);
}

START_TEST(malformed_manifests)
{
    const int C = FLOE_ECORRUPT;
    expect_error("", C, "line");
    expect_error("[]", C, "not a Floe state manifest");
    expect_error("{\"format\":\"iceberg\"}", C, "not a Floe state manifest");
    expect_error("{\"format\":\"floe-state\",\"format-version\":3,\"refresh\":1,\"sets\":[]}",
                 FLOE_EUNSUPPORTED, "newer");
    expect_error("{\"format\":\"floe-state\",\"format-version\":1,\"sets\":[]}", C,
                 "missing \"refresh\"");
    expect_error("{\"format\":\"floe-state\",\"format-version\":1,\"refresh\":-1,\"sets\":[]}", C,
                 "\"refresh\"");
    expect_error("{\"format\":\"floe-state\",\"format-version\":1,\"refresh\":1}", C,
                 "no \"sets\"");
    const char *prefix = "{\"format\":\"floe-state\",\"format-version\":1,\"refresh\":1,\"sets\":[";
    struct {
        const char *set;
        const char *fragment;
    } cases[] = {
        {"1", "not an object"},
        {"{\"bucket-count\":2,\"buckets\":[]}", "no name"},
        {"{\"name\":\"a\",\"bucket-count\":3,\"buckets\":[]}", "power of two"},
        {"{\"name\":\"a\",\"bucket-count\":0,\"buckets\":[]}", "bucket-count"},
        {"{\"name\":\"a\",\"bucket-count\":131072,\"buckets\":[]}", "bucket-count"},
        {"{\"name\":\"a\",\"bucket-count\":2}", "no \"buckets\""},
        {"{\"name\":\"a\",\"bucket-count\":2,\"buckets\":[{\"bucket\":2,\"state\":\"/x\"}]}",
         "\"bucket\""},
        {"{\"name\":\"a\",\"bucket-count\":2,\"buckets\":[{\"bucket\":0,\"state\":\"x\"}]}",
         "absolute path"},
        {"{\"name\":\"a\",\"bucket-count\":2,\"buckets\":[{\"bucket\":0}]}", "names no file"},
        {"{\"name\":\"a\",\"bucket-count\":2,\"buckets\":[{\"bucket\":0,\"state\":\"/x\"},"
         "{\"bucket\":0,\"state\":\"/y\"}]}",
         "listed twice"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[]},{\"name\":\"a\",\"bucket-count\":1,"
         "\"buckets\":[]}",
         "same name"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"state\":\"/x\","
         "\"state-rows\":-4}]}",
         "state-rows"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"state\":\"/x\","
         "\"overlay\":[]}]}",
         "an overlay is not an object"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"output\":\"/x\","
         "\"overlay\":{\"state\":\"/o\"}}]}",
         "without a state file"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"state\":\"/x\","
         "\"overlay\":{\"output\":\"/o\"}}]}",
         "names no state file"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"state\":\"/x\","
         "\"overlay\":{\"state\":\"o\"}}]}",
         "absolute path"},
        {"{\"name\":\"a\",\"bucket-count\":1,\"buckets\":[{\"bucket\":0,\"state\":\"/x\","
         "\"overlay\":{\"state\":\"/o\",\"deleted-rows\":-1}}]}",
         "deleted-rows"},
    };
    struct {
        const char *set;
        const char *fragment;
    } file_cases[] = {
        {"\"files\":{}", "\"files\" is not an array"},
        {"\"files\":[1]", "not an object"},
        {"\"files\":[{\"output-rows\":1}]", "no \"output\""},
        {"\"files\":[{\"output\":\"o\",\"output-rows\":1}]", "absolute path"},
        {"\"files\":[{\"output\":\"/o\"}]", "missing \"output-rows\""},
        {"\"files\":[{\"output\":\"/o\",\"output-rows\":2,\"deleted-rows\":3}]",
         "\"deleted-rows\""},
        {"\"files\":[{\"output\":\"/o\",\"output-rows\":2,\"deletes\":\"/d\"}]",
         "\"deletes\" is not an array"},
        {"\"files\":[{\"output\":\"/o\",\"output-rows\":2,\"sources\":[\"s\"]}]",
         "an entry of \"sources\""},
        {"\"files\":[{\"output\":\"/o\",\"output-rows\":2},{\"output\":\"/o\","
         "\"output-rows\":1}]",
         "listed twice"},
    };
    for (size_t i = 0; i < sizeof file_cases / sizeof file_cases[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json, "%s{\"name\":\"rows\",\"bucket-count\":1,\"buckets\":[],%s}]}",
                 prefix, file_cases[i].set);
        expect_error(json, C, file_cases[i].fragment);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json, "%s%s]}", prefix, cases[i].set);
        expect_error(json, C, cases[i].fragment);
    }
    floe_eng_state_manifest manifest;
    floe_error err;
    ck_assert_int_eq(floe_eng_state_manifest_read("/nonexistent/m.json", &manifest, &err),
                     -ENOENT);
    floe_eng_state_manifest_fini(&manifest);
}
END_TEST

/* A manifest written before output files were listed reads as one without them. */
START_TEST(manifest_without_files_reads)
{
    const char *json =
        "{\"format\":\"floe-state\",\"format-version\":1,\"refresh\":3,\"sets\":[{\"name\":"
        "\"rows\",\"bucket-count\":1,\"buckets\":[]}]}";
    floe_eng_state_manifest manifest;
    floe_error err;
    ck_assert_int_eq(floe_eng_state_manifest_parse(json, strlen(json), "m", &manifest, &err), 0);
    ck_assert_uint_eq(manifest.sets[0].file_count, 0);
    floe_eng_state_manifest_fini(&manifest);
}
END_TEST

START_TEST(bad_arguments)
{
    floe_eng_state_manifest manifest;
    floe_eng_state_manifest_init(&manifest);
    floe_eng_state_set *set = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_add_set(&manifest, "a", 6, 1, &set, NULL),
                     FLOE_EINVAL);
    ck_assert_int_eq(floe_eng_state_manifest_add_set(&manifest, "a", 2, 1, &set, NULL), 0);
    ck_assert_int_eq(floe_eng_state_manifest_add_set(&manifest, "a", 2, 1, NULL, NULL),
                     FLOE_EINVAL);
    ck_assert_int_eq(floe_eng_state_set_bucket(set, 2, "/x", 1, NULL, 0, NULL), FLOE_EINVAL);
    char relative[] = "data/o.parquet";
    floe_eng_state_output_file file = {relative, 1, 0, NULL, 0, false, NULL, 0};
    ck_assert_int_eq(floe_eng_state_set_add_file(set, &file, NULL), FLOE_EINVAL);
    floe_eng_state_manifest_fini(&manifest);
}
END_TEST

START_TEST(allocation_failures)
{
    floe_eng_state_manifest original;
    build(&original);
    const char *json =
        "{\"format\":\"floe-state\",\"format-version\":1,\"refresh\":3,\"sets\":[{\"name\":\"a\","
        "\"bucket-count\":2,\"buckets\":[{\"bucket\":1,\"state\":\"/s\",\"output\":\"/o\"}]},"
        "{\"name\":\"rows\",\"bucket-count\":1,\"buckets\":[],\"files\":[{\"output\":\"/f\","
        "\"output-rows\":2,\"deleted-rows\":1,\"deletes\":[\"/d\"],\"sources\":[\"/a\",\"/b\"]}]}]}";
    for (long fail_after = 0; fail_after < 200; fail_after++) {
        floe_eng_state_manifest copy, parsed;
        floe_set_allocation_failure_after(fail_after);
        int copy_status = floe_eng_state_manifest_copy(&original, &copy, NULL);
        floe_set_allocation_failure_after(fail_after);
        int parse_status = floe_eng_state_manifest_parse(json, strlen(json), "m", &parsed, NULL);
        floe_set_allocation_failure_after(-1);
        ck_assert(copy_status == 0 || copy_status == FLOE_ENOMEM);
        ck_assert(parse_status == 0 || parse_status == FLOE_ENOMEM ||
                  parse_status == FLOE_ECORRUPT); /* jansson reports its own failures as parse errors */
        if (copy_status == 0)
            check_same(&original, &copy);
        floe_eng_state_manifest_fini(&copy);
        floe_eng_state_manifest_fini(&parsed);
    }
    floe_eng_state_manifest_fini(&original);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine_state_store");
    TCase *tc = tcase_create("state_store");
    tcase_add_test(tc, write_read_round_trip);
    tcase_add_test(tc, buckets_split_in_two);
    tcase_add_test(tc, malformed_manifests);
    tcase_add_test(tc, manifest_without_files_reads);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
