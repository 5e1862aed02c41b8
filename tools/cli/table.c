/*
 * table.c — `floe-engine table show TABLE`: what an Iceberg table is (format, location, schema
 * with Floe's reading of each column, partition spec, properties), its history (snapshots with
 * their operation and summary counts) and the files of its current snapshot, for a person or,
 * with the global --json, a script. TABLE is "ns.name" in the warehouse or a directory path
 * (io/iceberg_table.h decides).
 *
 * `floe-engine table dump TABLE [--snapshot ID] [--format csv|jsonl] [--columns a,b]`: the rows of
 * a snapshot (default: the current one) with position and equality deletes applied, columns in
 * the current schema's order (io/iceberg_scan.h), printed by kernels/value_text.h's rules like
 * `parquet dump`. Row order is the scan order (data files in manifest order), which is not
 * meaningful: compare dumps as multisets. --columns projects by column name (a table with
 * nested columns can be dumped by naming its flat ones).
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "kernels/value_text.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void format_utc(int64_t timestamp_ms, char out[64], size_t size)
{
    time_t seconds = (time_t)(timestamp_ms / 1000);
    int milliseconds = (int)(timestamp_ms % 1000);
    if (milliseconds < 0) {
        milliseconds += 1000;
        seconds -= 1;
    }
    struct tm parts;
    if (gmtime_r(&seconds, &parts) == NULL) {
        snprintf(out, size, "%" PRId64 " ms", timestamp_ms);
        return;
    }
    char date[40];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &parts);
    snprintf(out, size, "%s.%03d UTC", date, milliseconds);
}

static const char *floe_type_text(const floe_ice_field *field, char *buffer, size_t size)
{
    floe_type type;
    if (floe_ice_field_floe_type(field, &type, NULL) != FLOE_OK) return "unsupported";
    return floe_type_format(type, buffer, size);
}

static void print_text(const floe_ice_table *table, const floe_ice_scan_plan *plan)
{
    const floe_ice_table_metadata *metadata = table->metadata;
    printf("table       %s\n", table->directory);
    printf("metadata    %s\n", table->metadata_path);
    printf("format      v%d\n", metadata->format_version);
    printf("location    %s\n", metadata->location);
    if (metadata->table_uuid) printf("uuid        %s\n", metadata->table_uuid);

    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    if (schema != NULL) {
        printf("\nschema %" PRId32 "\n  %4s  %-24s %-16s %-16s %s\n", schema->schema_id, "id",
               "name", "iceberg type", "floe type", "required");
        for (size_t i = 0; i < schema->field_count; i++) {
            const floe_ice_field *field = &schema->fields[i];
            char buffer[64];
            printf("  %4" PRId32 "  %-24s %-16s %-16s %s\n", field->id, field->name,
                   field->type_text, floe_type_text(field, buffer, sizeof buffer),
                   field->required ? "yes" : "no");
        }
    }
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    if (spec != NULL) {
        printf("\npartition spec %" PRId32 "%s\n", spec->spec_id,
               spec->field_count == 0 ? ": unpartitioned" : "");
        for (size_t i = 0; i < spec->field_count; i++) {
            const floe_ice_field *source =
                schema ? floe_ice_field_by_id(schema, spec->fields[i].source_id) : NULL;
            printf("  %" PRId32 "  %s = %s(%s)\n", spec->fields[i].field_id, spec->fields[i].name,
                   spec->fields[i].transform_text, source ? source->name : "?");
        }
    }
    if (metadata->property_count > 0) {
        printf("\nproperties\n");
        for (size_t i = 0; i < metadata->property_count; i++)
            printf("  %s = %s\n", metadata->properties[i].key, metadata->properties[i].value);
    }
    printf("\nsnapshots (%zu; current %" PRId64 ")\n", metadata->snapshot_count,
           metadata->current_snapshot_id);
    if (metadata->snapshot_count > 0)
        printf("  %-20s %-20s %5s  %-27s %-10s %10s %10s\n", "id", "parent", "seq", "timestamp",
               "operation", "+records", "-records");
    for (size_t i = 0; i < metadata->snapshot_count; i++) {
        const floe_ice_snapshot *snapshot = &metadata->snapshots[i];
        char when[64], parent[32];
        format_utc(snapshot->timestamp_ms, when, sizeof when);
        if (snapshot->parent_snapshot_id == -1) snprintf(parent, sizeof parent, "-");
        else snprintf(parent, sizeof parent, "%" PRId64, snapshot->parent_snapshot_id);
        const char *added = floe_ice_snapshot_summary(snapshot, "added-records");
        const char *deleted = floe_ice_snapshot_summary(snapshot, "deleted-records");
        printf("  %-20" PRId64 " %-20s %5" PRId64 "  %-27s %-10s %10s %10s\n",
               snapshot->snapshot_id, parent, snapshot->sequence_number, when,
               snapshot->operation ? snapshot->operation : "?", added ? added : "-",
               deleted ? deleted : "-");
    }
    if (plan->snapshot_id == -1) return;
    printf("\nfiles of snapshot %" PRId64 " (%zu data, %zu delete; %" PRId64 " records)\n",
           plan->snapshot_id, plan->task_count, plan->delete_file_count, plan->record_count);
    for (size_t i = 0; i < plan->task_count; i++) {
        const floe_ice_scan_file *file = &plan->tasks[i].data;
        printf("  %-16s %10" PRId64 " rows %12" PRId64 " bytes  %s%s", "data", file->record_count,
               file->file_size, file->path, file->path_found ? "" : " (missing)");
        if (plan->tasks[i].delete_count > 0)
            printf("  (%zu delete files apply)", plan->tasks[i].delete_count);
        printf("\n");
    }
    for (size_t i = 0; i < plan->delete_file_count; i++) {
        const floe_ice_scan_file *file = &plan->delete_files[i];
        printf("  %-16s %10" PRId64 " rows %12" PRId64 " bytes  %s%s\n",
               floe_ice_content_name(file->content), file->record_count, file->file_size,
               file->path, file->path_found ? "" : " (missing)");
    }
}

static json_t *file_json(const floe_ice_scan_file *file)
{
    json_t *object = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:b}", "path", file->path,
                               "content", floe_ice_content_name(file->content), "records",
                               (json_int_t)file->record_count, "size", (json_int_t)file->file_size,
                               "spec_id", (json_int_t)file->spec_id, "sequence_number",
                               (json_int_t)file->data_sequence_number, "exists",
                               file->path_found);
    if (object != NULL && file->file->has_equality_ids) {
        json_t *ids = json_array();
        for (size_t i = 0; i < file->file->equality_id_count; i++)
            json_array_append_new(ids, json_integer(file->file->equality_ids[i]));
        json_object_set_new(object, "equality_ids", ids);
    }
    return object;
}

static json_t *build_json(const floe_ice_table *table, const floe_ice_scan_plan *plan)
{
    const floe_ice_table_metadata *metadata = table->metadata;
    json_t *root = json_object();
    json_object_set_new(root, "directory", json_string(table->directory));
    json_object_set_new(root, "metadata_file", json_string(table->metadata_path));
    json_object_set_new(root, "format_version", json_integer(metadata->format_version));
    json_object_set_new(root, "location", json_string(metadata->location));
    json_object_set_new(root, "table_uuid",
                        metadata->table_uuid ? json_string(metadata->table_uuid) : json_null());
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    json_t *columns = json_array();
    for (size_t i = 0; schema != NULL && i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        char buffer[64];
        json_array_append_new(columns,
                              json_pack("{s:i, s:s, s:s, s:s, s:b}", "id", (int)field->id, "name",
                                        field->name, "iceberg_type", field->type_text, "floe_type",
                                        floe_type_text(field, buffer, sizeof buffer), "required",
                                        field->required));
    }
    json_object_set_new(root, "schema",
                        json_pack("{s:i, s:o}", "schema_id", schema ? (int)schema->schema_id : -1,
                                  "columns", columns));
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    json_t *spec_fields = json_array();
    for (size_t i = 0; spec != NULL && i < spec->field_count; i++)
        json_array_append_new(spec_fields,
                              json_pack("{s:i, s:s, s:s, s:i}", "field_id",
                                        (int)spec->fields[i].field_id, "name", spec->fields[i].name,
                                        "transform", spec->fields[i].transform_text, "source_id",
                                        (int)spec->fields[i].source_id));
    json_object_set_new(root, "partition_spec",
                        json_pack("{s:i, s:o}", "spec_id", spec ? (int)spec->spec_id : -1, "fields",
                                  spec_fields));
    json_t *properties = json_object();
    for (size_t i = 0; i < metadata->property_count; i++)
        json_object_set_new(properties, metadata->properties[i].key,
                            json_string(metadata->properties[i].value));
    json_object_set_new(root, "properties", properties);
    json_object_set_new(root, "current_snapshot_id",
                        metadata->current_snapshot_id == -1
                            ? json_null()
                            : json_integer((json_int_t)metadata->current_snapshot_id));
    json_t *snapshots = json_array();
    for (size_t i = 0; i < metadata->snapshot_count; i++) {
        const floe_ice_snapshot *snapshot = &metadata->snapshots[i];
        char when[64];
        format_utc(snapshot->timestamp_ms, when, sizeof when);
        json_t *summary = json_object();
        for (size_t k = 0; k < snapshot->summary_count; k++)
            json_object_set_new(summary, snapshot->summary[k].key,
                                json_string(snapshot->summary[k].value));
        json_array_append_new(
            snapshots,
            json_pack("{s:I, s:o, s:I, s:I, s:s, s:o, s:o}", "snapshot_id",
                      (json_int_t)snapshot->snapshot_id, "parent_snapshot_id",
                      snapshot->parent_snapshot_id == -1
                          ? json_null()
                          : json_integer((json_int_t)snapshot->parent_snapshot_id),
                      "sequence_number", (json_int_t)snapshot->sequence_number, "timestamp_ms",
                      (json_int_t)snapshot->timestamp_ms, "timestamp", when, "operation",
                      snapshot->operation ? json_string(snapshot->operation) : json_null(),
                      "summary", summary));
    }
    json_object_set_new(root, "snapshots", snapshots);
    json_t *files = json_array();
    for (size_t i = 0; i < plan->task_count; i++) {
        json_t *file = file_json(&plan->tasks[i].data);
        json_t *applies = json_array();
        for (size_t d = 0; d < plan->tasks[i].delete_count; d++)
            json_array_append_new(applies,
                                  json_string(plan->delete_files[plan->tasks[i].delete_indexes[d]].path));
        json_object_set_new(file, "deletes", applies);
        json_array_append_new(files, file);
    }
    for (size_t i = 0; i < plan->delete_file_count; i++)
        json_array_append_new(files, file_json(&plan->delete_files[i]));
    json_object_set_new(root, "files", files);
    json_object_set_new(root, "total_records", json_integer((json_int_t)plan->record_count));
    return root;
}

static int run_show(const floe_cli_context *context, const char *name)
{
    floe_error err;
    floe_error_clear(&err);
    floe_ice_table *table = NULL;
    floe_ice_scan_plan *plan = NULL;
    int status = floe_ice_table_open(&table, name, context->warehouse, &err);
    if (status == FLOE_OK) status = floe_ice_table_plan_scan(table, -1, &plan, &err);
    int exit_status = FLOE_EXIT_OK;
    if (status != FLOE_OK) {
        exit_status = floe_cli_report("table show", status, &err);
        if (exit_status == FLOE_EXIT_USAGE) exit_status = FLOE_EXIT_USER_ERROR;
    } else if (context->json) {
        json_t *root = build_json(table, plan);
        char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (text == NULL) {
            fprintf(stderr, "floe-engine: table show: out of memory\n");
            exit_status = FLOE_EXIT_USER_ERROR;
        } else {
            printf("%s\n", text);
            free(text);
        }
        json_decref(root);
    } else {
        print_text(table, plan);
    }
    if (exit_status == FLOE_EXIT_OK && fflush(stdout) != 0) {
        fprintf(stderr, "floe-engine: table show: writing output failed\n");
        exit_status = FLOE_EXIT_USER_ERROR;
    }
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
    return exit_status;
}

static int format_rows(const floe_batch *batch, const floe_ice_scan_column *columns, bool jsonl,
                       floe_text *text)
{
    uint32_t live = floe_batch_live_count(batch);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t row = floe_batch_live_row(batch, i);
        if (jsonl) FLOE_TRY(floe_text_append_char(text, '{'));
        for (uint32_t c = 0; c < batch->column_count; c++) {
            if (c > 0) FLOE_TRY(floe_text_append_char(text, ','));
            if (jsonl) {
                FLOE_TRY(floe_k_json_string_append(text, columns[c].name, strlen(columns[c].name)));
                FLOE_TRY(floe_text_append_char(text, ':'));
                FLOE_TRY(floe_k_json_value_append(text, &batch->columns[c], row));
            } else {
                FLOE_TRY(floe_k_csv_field_append(text, &batch->columns[c], row));
            }
        }
        if (jsonl) FLOE_TRY(floe_text_append_char(text, '}'));
        FLOE_TRY(floe_text_append_char(text, '\n'));
    }
    return FLOE_OK;
}

static int run_dump(const floe_cli_context *context, int argc, char **argv)
{
    const char *name = NULL, *format = "csv", *column_list = NULL;
    int64_t snapshot_id = -1;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--snapshot") == 0 ||
            strcmp(argv[i], "--columns") == 0) {
            if (i + 1 >= argc) return floe_cli_usage_error("table dump", "%s needs a value", argv[i]);
            const char *option = argv[i++];
            if (strcmp(option, "--format") == 0) {
                format = argv[i];
            } else if (strcmp(option, "--columns") == 0) {
                column_list = argv[i];
            } else {
                char *end = NULL;
                errno = 0;
                long long value = strtoll(argv[i], &end, 10);
                if (errno != 0 || end == argv[i] || *end != '\0' || value <= 0)
                    return floe_cli_usage_error("table dump", "--snapshot needs a snapshot id, not '%s'",
                                                argv[i]);
                snapshot_id = (int64_t)value;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return floe_cli_usage_error("table dump", "unknown option '%s'", argv[i]);
        } else if (name == NULL) {
            name = argv[i];
        } else {
            return floe_cli_usage_error("table dump", "takes one TABLE (got '%s' too)", argv[i]);
        }
    }
    if (name == NULL) return floe_cli_usage_error("table dump", "needs a TABLE (ns.name or a directory)");
    bool jsonl = strcmp(format, "jsonl") == 0;
    if (!jsonl && strcmp(format, "csv") != 0)
        return floe_cli_usage_error("table dump", "--format must be csv or jsonl, not '%s'", format);
    char *names_copy = NULL;
    const char **names = NULL;
    uint32_t name_count = 0;
    if (column_list != NULL) {
        int exit_status = floe_cli_split_column_list("table dump", column_list, &names_copy, &names,
                                                     &name_count);
        if (exit_status != FLOE_EXIT_OK) return exit_status;
    }
    floe_error err;
    floe_error_clear(&err);
    floe_ice_table *table = NULL;
    floe_ice_scan_reader *reader = NULL;
    floe_batch batch = {0};
    floe_text text;
    floe_text_init(&text);
    floe_ice_scan_reader_options options = {0};
    options.snapshot_id = snapshot_id;
    options.column_names = names;
    options.column_name_count = name_count;
    int status = floe_ice_table_open(&table, name, context->warehouse, &err);
    if (status == FLOE_OK) status = floe_ice_scan_reader_open(&reader, table, &options, &err);
    if (status == FLOE_OK) status = floe_ice_scan_reader_batch_init(reader, &batch, &err);
    uint32_t column_count = 0;
    const floe_ice_scan_column *columns = NULL;
    if (status == FLOE_OK) {
        columns = floe_ice_scan_reader_columns(reader, &column_count);
        for (uint32_t c = 0; !jsonl && c < column_count && status >= 0; c++) {
            if (c > 0) status = floe_text_append_char(&text, ',');
            if (status >= 0) status = floe_k_csv_text_append(&text, columns[c].name,
                                                             strlen(columns[c].name), 0);
        }
        if (!jsonl && status >= 0) status = floe_text_append_char(&text, '\n');
    }
    while (status >= 0) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, &err);
        if (status < 0 || batch.row_count == 0) break;
        status = format_rows(&batch, columns, jsonl, &text);
        if (text.size >= (1u << 16) || status < 0) {
            fwrite(text.data, 1, text.size, stdout);
            floe_text_reset(&text);
        }
    }
    if (text.size > 0) fwrite(text.data, 1, text.size, stdout);
    int exit_status = FLOE_EXIT_OK;
    if (status < 0) {
        fflush(stdout);
        if (status == FLOE_ENOMEM && err.message[0] == '\0')
            floe_error_set(&err, status, "%s: out of memory", name);
        exit_status = floe_cli_report("table dump", status, &err);
        if (exit_status == FLOE_EXIT_USAGE) exit_status = FLOE_EXIT_USER_ERROR;
    } else if (fflush(stdout) != 0) {
        fprintf(stderr, "floe-engine: table dump: writing output failed\n");
        exit_status = FLOE_EXIT_USER_ERROR;
    }
    floe_text_fini(&text);
    if (batch.columns != NULL) floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(table);
    free(names_copy);
    free(names);
    return exit_status;
}

int floe_cli_table(const floe_cli_context *context, int argc, char **argv)
{
    if (argc < 2) return floe_cli_usage_error("table", "needs a subcommand: show TABLE | dump TABLE");
    const char *subcommand = argv[1];
    if (strcmp(subcommand, "dump") == 0) return run_dump(context, argc, argv);
    if (strcmp(subcommand, "show") != 0)
        return floe_cli_usage_error("table", "unknown subcommand '%s' (show TABLE | dump TABLE)",
                                    subcommand);
    const char *name = NULL;
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return floe_cli_usage_error("table show", "unknown option '%s'", argv[i]);
        if (name != NULL)
            return floe_cli_usage_error("table show", "takes one TABLE (got '%s' too)", argv[i]);
        name = argv[i];
    }
    if (name == NULL) return floe_cli_usage_error("table show", "needs a TABLE (ns.name or a directory)");
    return run_show(context, name);
}
