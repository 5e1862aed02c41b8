/*
 * Description: libFuzzer harness for the Parquet value decoders and page codecs
 * (io/parquet_encoding.h, io/parquet_codec.h). Byte 0 picks the decoder or codec, byte 1 a bit
 * width or value width, bytes 2..3 a value count (little-endian); the rest is the page body.
 * Every decoder must return a status (never crash, never read past the input, never leak), and
 * on success its references must stay inside the bytes they point into.
 */
#include "io/parquet_codec.h"
#include "io/parquet_encoding.h"

#include "kernels/arena.h"
#include "kernels/memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_refs(const floe_string_ref *refs, size_t count, size_t base_size)
{
    for (size_t i = 0; i < count; i++) {
        if ((size_t)refs[i].offset + refs[i].length > base_size) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    unsigned selector = data[0] % 16, width = data[1];
    size_t count = (size_t)data[2] | (size_t)data[3] << 8;
    /* A heap copy of exactly the body, so ASan catches any read past it. */
    size_t body_size = size - 4;
    uint8_t *body = malloc(body_size ? body_size : 1);
    memcpy(body, data + 4, body_size);
    void *out = calloc(count + 1, 16);
    floe_error err;
    size_t decoded = 0, consumed = 0, written = 0;
    int status = FLOE_OK;
    switch (selector) {
    case 0: {
        floe_pq_rle_decoder decoder;
        if (floe_pq_rle_init(&decoder, body, body_size, width % 33, &err) == FLOE_OK) {
            /* Pull in uneven pieces to exercise the group buffer. */
            size_t done = 0, piece = 1 + width % 13;
            while (done < count && status == FLOE_OK) {
                size_t n = count - done < piece ? count - done : piece;
                status = floe_pq_rle_next(&decoder, (uint32_t *)out + done, n, &decoded, &err);
                if (status != FLOE_OK || decoded == 0) break;
                done += decoded;
            }
        }
        break;
    }
    case 1: {
        floe_pq_rle_decoder decoder;
        if (floe_pq_dictionary_indices_init(&decoder, body, body_size, &err) == FLOE_OK &&
            floe_pq_rle_read(&decoder, out, count, &err) == FLOE_OK) {
            int64_t values[8] = {0};
            status = floe_pq_dictionary_gather_fixed(out, values, width % 9, 1, out, count, &err);
        }
        break;
    }
    case 2: status = floe_pq_rle_booleans(out, count, body, body_size, &consumed, &err); break;
    case 3:
        status = floe_pq_plain_fixed(out, count, 1 + width % 16, body, body_size, &consumed, &err);
        break;
    case 4: status = floe_pq_plain_booleans(out, count, body, body_size, width, &err); break;
    case 5: status = floe_pq_int96_to_micros(out, count, body, body_size, &consumed, &err); break;
    case 6:
        status = floe_pq_plain_byte_array(out, count, body, body_size, &consumed, &err);
        if (status == FLOE_OK) check_refs(out, count, body_size);
        break;
    case 7:
        status = floe_pq_delta_binary_packed_int32(out, count, body, body_size, &decoded,
                                                   &consumed, &err);
        break;
    case 8:
        status = floe_pq_delta_binary_packed_int64(out, count, body, body_size, &decoded,
                                                   &consumed, &err);
        break;
    case 9:
        status = floe_pq_delta_length_byte_array(out, count, body, body_size, &decoded, &consumed,
                                                 &err);
        if (status == FLOE_OK) check_refs(out, decoded, body_size);
        break;
    case 10: {
        floe_arena arena;
        floe_arena_init(&arena, 0, 1 << 24);
        const uint8_t *heap;
        status = floe_pq_delta_byte_array(out, count, body, body_size, &arena, &heap, &decoded,
                                          &consumed, &err);
        if (status == FLOE_OK) {
            size_t total = 0;
            for (size_t i = 0; i < decoded; i++) total += ((floe_string_ref *)out)[i].length;
            check_refs(out, decoded, total);
        }
        floe_arena_fini(&arena);
        break;
    }
    case 11:
        status = floe_pq_byte_stream_split(out, count, 1 + width % 16, body, body_size, &err);
        break;
    default: {
        /* Codecs: selector 12..15 and the width byte choose among all eight codec numbers. */
        int codec = (int)((selector - 12) * 2 + (width & 1));
        size_t page_size = count * 4;
        uint8_t *page = malloc(page_size ? page_size : 1);
        status = floe_pq_decompress(NULL, codec, page, page_size, body, body_size, &written, &err);
        if (status == FLOE_OK && written != page_size) abort();
        free(page);
        break;
    }
    }
    if (status != FLOE_OK && status != FLOE_ECORRUPT && status != FLOE_EUNSUPPORTED &&
        status != FLOE_ERANGE && status != FLOE_EINVAL && status != FLOE_ENOMEM) {
        abort();
    }
    free(out);
    free(body);
    return 0;
}
