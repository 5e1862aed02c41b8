/*
 * parquet_codec.h — decompression (and, for the writer, compression) of Parquet page bodies.
 *
 * A Parquet page is stored compressed as a whole by the column chunk's codec (parquet.thrift
 * CompressionCodec); the page header gives both sizes. Compression.md: every codec except the
 * deprecated LZ4 feeds the page bytes as-is to the library, with no framing.
 *
 *   codec            decompress                                   compress
 *   UNCOMPRESSED 0   copy                                         copy
 *   SNAPPY       1   libsnappy; the stream's own length is        libsnappy
 *                    checked against dst_size BEFORE decoding
 *   GZIP         2   zlib, gzip wrapper (RFC 1952); several       zlib, one gzip member
 *                    concatenated members are accepted
 *   LZO          3   FLOE_EUNSUPPORTED                            FLOE_EUNSUPPORTED
 *   BROTLI       4   FLOE_EUNSUPPORTED                            FLOE_EUNSUPPORTED
 *   LZ4          5   the Hadoop framing (below); if the input     FLOE_EUNSUPPORTED (deprecated:
 *                    does not parse as that, one raw LZ4 block,    writers use LZ4_RAW)
 *                    as parquet-mr and Arrow fall back to
 *   ZSTD         6   libzstd; concatenated and skippable frames;  libzstd, `level` (0: default)
 *                    declared content sizes are summed and
 *                    checked against dst_size BEFORE decoding
 *   LZ4_RAW      7   one LZ4 block (liblz4)                       liblz4
 *
 * Hadoop LZ4 framing (the legacy LZ4 codec): a sequence of blocks, each
 *   uint32 big-endian  uncompressed size U of the block
 *   then one or more chunks, each  uint32 big-endian compressed size C, C bytes of an LZ4 block,
 *   until the chunks have produced exactly U bytes.
 * Blocks continue until the input is used up exactly.
 *
 * Sizes: dst_size is the page header's uncompressed_page_size; the caller allocates dst with at
 * least dst_size bytes. Nothing is ever written past dst[dst_size). A page that does not
 * decompress to EXACTLY dst_size bytes is corrupt (fewer is never legal), so on success
 * *written == dst_size; *written is still set, for symmetry with floe_pq_compress.
 *
 * Memory: the decompressors allocate only their libraries' fixed-size working state (zlib's
 * through floe_malloc; libzstd's, libsnappy's and liblz4's through libc, their APIs offer no hook
 * in their stable interface). Nothing is sized from a number read from the input.
 * A floe_pq_codec_context keeps the zstd contexts for reuse across pages (one per thread); every
 * function accepts a NULL context and then creates a temporary one.
 *
 * Errors: FLOE_ECORRUPT for a stream the library rejects or one of the wrong size, with one line
 * naming the codec ("zstd: corrupt block: ..."); FLOE_EUNSUPPORTED for LZO, BROTLI and unknown
 * codec numbers; FLOE_EINVAL for a dst_capacity below floe_pq_compress_bound; FLOE_ENOMEM.
 */
#ifndef FLOE_IO_PARQUET_CODEC_H
#define FLOE_IO_PARQUET_CODEC_H

#include "kernels/status.h"

#include <stddef.h>
#include <stdint.h>

/* parquet.thrift CompressionCodec values. */
typedef enum floe_pq_codec {
    FLOE_PQ_CODEC_UNCOMPRESSED = 0,
    FLOE_PQ_CODEC_SNAPPY = 1,
    FLOE_PQ_CODEC_GZIP = 2,
    FLOE_PQ_CODEC_LZO = 3,
    FLOE_PQ_CODEC_BROTLI = 4,
    FLOE_PQ_CODEC_LZ4 = 5,
    FLOE_PQ_CODEC_ZSTD = 6,
    FLOE_PQ_CODEC_LZ4_RAW = 7,
} floe_pq_codec;

/* "UNCOMPRESSED", "SNAPPY", ...; "UNKNOWN" for other numbers. */
const char *floe_pq_codec_name(int codec);

typedef struct floe_pq_codec_context floe_pq_codec_context;

/* A context reusing codec state across calls; NULL when out of memory. Not thread-safe. */
floe_pq_codec_context *floe_pq_codec_context_create(void);
void floe_pq_codec_context_free(floe_pq_codec_context *context);

/* Decompresses src[0..src_size) into exactly dst_size bytes of dst (contract above). */
int floe_pq_decompress(floe_pq_codec_context *context, int codec, void *dst, size_t dst_size,
                       const void *src, size_t src_size, size_t *written, floe_error *err);

/* The largest output floe_pq_compress can produce for src_size bytes; 0 when the codec cannot
 * compress (LZO, BROTLI, LZ4, unknown) or src_size is beyond what the codec handles. */
size_t floe_pq_compress_bound(int codec, size_t src_size);

/* Compresses src into dst (dst_capacity >= floe_pq_compress_bound); *written is the size.
 * `level` is the codec's level for ZSTD (1..22) and GZIP (1..9), 0 for the default; ignored
 * otherwise. */
int floe_pq_compress(floe_pq_codec_context *context, int codec, int level, void *dst,
                     size_t dst_capacity, const void *src, size_t src_size, size_t *written,
                     floe_error *err);

#endif
