/*
 * fuzz_parquet_file — a whole Parquet file image through the column reader: footer, projection
 * of every flat column, every page of every row group decoded into batches (with and without
 * dictionary codes). Any input must end in FLOE_OK or a clean error; never a crash, leak, hang
 * or out-of-bounds access. The in-memory open path (floe_pq_reader_open_memory) avoids files.
 * At most 4096 batches are read per input: a footer may claim 2^62 rows of an all-NULL column
 * that a few bytes of RLE encode, which is valid data, just too long to be a useful fuzz step.
 */
#include "io/parquet_reader.h"
#include "kernels/value_text.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_pq_file_metadata *metadata = NULL;
    if (floe_pq_file_metadata_parse(data, size, &metadata, NULL) < 0) return 0;
    uint32_t indexes[512];
    uint32_t count = 0;
    for (uint32_t i = 0; i < metadata->column_count && count < 512; i++) {
        if (metadata->columns[i].unsupported_reason == NULL) indexes[count++] = i;
    }
    floe_pq_file_metadata_free(metadata);
    if (count == 0) return 0;
    for (int codes = 0; codes < 2; codes++) {
        floe_pq_reader_options options = {.column_indexes = indexes,
                                          .column_index_count = count,
                                          .dictionary_as_codes = codes != 0};
        floe_pq_reader *reader = NULL;
        floe_error err;
        if (floe_pq_reader_open_memory(&reader, data, size, "fuzz.parquet", &options, &err) < 0) {
            return 0;
        }
        floe_batch batch;
        if (floe_pq_reader_batch_init(reader, &batch, &err) == FLOE_OK) {
            floe_text text;
            floe_text_init(&text);
            for (int b = 0; b < 4096; b++) {
                if (floe_pq_reader_next_batch(reader, &batch, &err) < 0 || batch.row_count == 0) {
                    break;
                }
                /* Format the first rows so value_text sees decoded values too. */
                for (uint32_t r = 0; r < batch.row_count && r < 4; r++) {
                    for (uint32_t c = 0; c < batch.column_count; c++) {
                        floe_text_reset(&text);
                        floe_k_json_value_append(&text, &batch.columns[c], r);
                        floe_k_csv_field_append(&text, &batch.columns[c], r);
                    }
                }
            }
            floe_text_fini(&text);
            floe_batch_fini(&batch);
        }
        floe_pq_reader_free(reader);
    }
    return 0;
}
