/*
 * fuzz_parquet_footer.c — libFuzzer harness for the Parquet footer and page header decoders.
 *
 * Each input is tried three ways: as a whole file image (framing checks, then FileMetaData and
 * the schema mapping), as bare FileMetaData bytes (so mutations reach the Thrift decoder without
 * having to keep the "PAR1" framing intact), and as a PageHeader. Any result is fine except a
 * crash, a sanitizer report, a leak, or a success whose structures do not hold together.
 */
#include "io/parquet_footer.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches everything a successful decode returned, so ASan sees any dangling pointer. */
static void walk(const floe_pq_file_metadata *metadata)
{
    size_t total = 0;
    for (uint32_t i = 0; i < metadata->column_count; i++) {
        const floe_pq_column *column = &metadata->columns[i];
        total += strlen(column->name) + strlen(column->path);
        if (column->unsupported_reason != NULL) total += strlen(column->unsupported_reason);
        if (column->schema_index >= metadata->schema_count) abort();
    }
    for (uint32_t g = 0; g < metadata->row_group_count; g++) {
        const floe_pq_row_group *group = &metadata->row_groups[g];
        if (group->column_count != metadata->column_count) abort();
        for (uint32_t c = 0; c < group->column_count; c++) {
            const floe_pq_column_metadata *meta = group->columns[c].meta_data;
            if (meta == NULL) continue;
            for (uint32_t p = 0; p < meta->path_length; p++) total += strlen(meta->path_in_schema[p]);
            if (meta->statistics != NULL && meta->statistics->min_value.data != NULL) {
                total += meta->statistics->min_value.data[meta->statistics->min_value.size];
            }
        }
    }
    for (uint32_t i = 0; i < metadata->key_value_count; i++) {
        total += strlen(metadata->key_value_metadata[i].key);
    }
    if (total == (size_t)-1) abort(); /* keeps the reads from being optimized away */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_error err;
    floe_pq_file_metadata *metadata = NULL;
    if (floe_pq_file_metadata_parse(data, size, &metadata, &err) == FLOE_OK) walk(metadata);
    floe_pq_file_metadata_free(metadata);

    metadata = NULL;
    if (floe_pq_file_metadata_parse_footer(data, size, 4, (uint64_t)size + 12, &metadata, &err) ==
        FLOE_OK) {
        walk(metadata);
    }
    floe_pq_file_metadata_free(metadata);

    floe_pq_page_header header;
    size_t header_size = 0;
    if (floe_pq_page_header_parse(data, size, 0, &header, &header_size, &err) == FLOE_OK) {
        if (header_size > size || header.compressed_page_size < 0) abort();
    }
    return 0;
}
