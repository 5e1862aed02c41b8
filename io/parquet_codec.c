/*
 * parquet_codec.c — page (de)compression over the system codec libraries (contract in
 * parquet_codec.h).
 *
 * Why the size checks come first: a page header is file input, and so is every length inside a
 * compressed stream. Snappy and zstd streams declare their output size up front, so a stream
 * that claims more (or less) than the page header is rejected before any work, and a
 * decompression bomb costs nothing. zlib and LZ4 streams carry no trustworthy total, so their
 * output is bounded by dst_size and must end exactly there.
 */
#include "io/parquet_codec.h"

#include "kernels/memory.h"

#include <limits.h>
#include <lz4.h>        /* LZ4_decompress_safe, LZ4_compress_default */
#include <snappy-c.h>   /* snappy_uncompressed_length, snappy_uncompress, snappy_compress */
#include <string.h>
#include <zlib.h>       /* inflate/deflate with the gzip wrapper */
#include <zstd.h>       /* ZSTD_decompressDCtx, ZSTD_getFrameContentSize */
#include <zstd_errors.h> /* ZSTD_getErrorCode */

struct floe_pq_codec_context {
    ZSTD_DCtx *zstd_decompress;   /* created on first use */
    ZSTD_CCtx *zstd_compress;     /* created on first use */
};

const char *floe_pq_codec_name(int codec)
{
    switch (codec) {
    case FLOE_PQ_CODEC_UNCOMPRESSED: return "UNCOMPRESSED";
    case FLOE_PQ_CODEC_SNAPPY: return "SNAPPY";
    case FLOE_PQ_CODEC_GZIP: return "GZIP";
    case FLOE_PQ_CODEC_LZO: return "LZO";
    case FLOE_PQ_CODEC_BROTLI: return "BROTLI";
    case FLOE_PQ_CODEC_LZ4: return "LZ4";
    case FLOE_PQ_CODEC_ZSTD: return "ZSTD";
    case FLOE_PQ_CODEC_LZ4_RAW: return "LZ4_RAW";
    default: return "UNKNOWN";
    }
}

floe_pq_codec_context *floe_pq_codec_context_create(void)
{
    return floe_calloc(1, sizeof(floe_pq_codec_context));
}

void floe_pq_codec_context_free(floe_pq_codec_context *context)
{
    if (context == NULL) return;
    ZSTD_freeDCtx(context->zstd_decompress);
    ZSTD_freeCCtx(context->zstd_compress);
    floe_free(context);
}

/* zlib's allocations go through Floe's hook so allocation-failure tests reach them. */
static voidpf zlib_allocate(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return floe_calloc(items, size);
}

static void zlib_release(voidpf opaque, voidpf address)
{
    (void)opaque;
    floe_free(address);
}

static int unsupported(int codec, floe_error *err)
{
    if (codec == FLOE_PQ_CODEC_LZO || codec == FLOE_PQ_CODEC_BROTLI) {
        return floe_error_set(err, FLOE_EUNSUPPORTED,
                              "%s: compression codec not supported by Floe (rewrite the file "
                              "with SNAPPY, GZIP, ZSTD or LZ4_RAW)",
                              floe_pq_codec_name(codec));
    }
    return floe_error_set(err, FLOE_EUNSUPPORTED, "unknown compression codec %d", codec);
}

static int decompress_snappy(uint8_t *dst, size_t dst_size, const uint8_t *src, size_t src_size,
                             floe_error *err)
{
    size_t declared = 0;
    if (snappy_uncompressed_length((const char *)src, src_size, &declared) != SNAPPY_OK) {
        return floe_error_set(err, FLOE_ECORRUPT, "snappy: corrupt stream header");
    }
    FLOE_RETURN_IF(declared != dst_size, FLOE_ECORRUPT, err,
                   "snappy: stream declares %zu bytes, page header says %zu", declared, dst_size);
    size_t length = dst_size;
    if (snappy_uncompress((const char *)src, src_size, (char *)dst, &length) != SNAPPY_OK) {
        return floe_error_set(err, FLOE_ECORRUPT, "snappy: corrupt stream");
    }
    FLOE_RETURN_IF(length != dst_size, FLOE_ECORRUPT, err,
                   "snappy: produced %zu bytes, page header says %zu", length, dst_size);
    return FLOE_OK;
}

static int decompress_gzip(uint8_t *dst, size_t dst_size, const uint8_t *src, size_t src_size,
                           floe_error *err)
{
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    stream.zalloc = zlib_allocate;
    stream.zfree = zlib_release;
    int status = inflateInit2(&stream, 15 + 16);
    if (status == Z_MEM_ERROR) return floe_error_set(err, FLOE_ENOMEM, "gzip: out of memory");
    FLOE_RETURN_IF(status != Z_OK, FLOE_ECORRUPT, err, "gzip: inflateInit2 failed (%d)", status);

    size_t input_used = 0, output_used = 0;
    int result = FLOE_OK;
    for (;;) {
        /* zlib counts in uInt: feed at most UINT_MAX at a time. */
        size_t input_left = src_size - input_used, output_left = dst_size - output_used;
        stream.next_in = (Bytef *)(uintptr_t)(src + input_used);
        stream.avail_in = (uInt)(input_left > UINT_MAX ? UINT_MAX : input_left);
        stream.next_out = dst + output_used;
        stream.avail_out = (uInt)(output_left > UINT_MAX ? UINT_MAX : output_left);
        uInt offered_in = stream.avail_in, offered_out = stream.avail_out;
        status = inflate(&stream, Z_NO_FLUSH);
        input_used += offered_in - stream.avail_in;
        output_used += offered_out - stream.avail_out;
        if (status == Z_STREAM_END) {
            if (input_used == src_size) break;
            /* Another gzip member follows (Compression.md: readers should accept several). */
            if (inflateReset(&stream) != Z_OK) {
                result = floe_error_set(err, FLOE_ECORRUPT, "gzip: cannot reset for next member");
                break;
            }
            continue;
        }
        if (status == Z_MEM_ERROR) {
            result = floe_error_set(err, FLOE_ENOMEM, "gzip: out of memory");
            break;
        }
        if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_STREAM_ERROR) {
            result = floe_error_set(err, FLOE_ECORRUPT, "gzip: corrupt stream at input byte %zu%s%s",
                                    input_used, stream.msg ? ": " : "",
                                    stream.msg ? stream.msg : "");
            break;
        }
        /* Z_OK or Z_BUF_ERROR: progress is possible only if both sides have room left. */
        if (output_used == dst_size && input_used < src_size) {
            result = floe_error_set(err, FLOE_ECORRUPT,
                                    "gzip: stream holds more than the page header's %zu bytes",
                                    dst_size);
            break;
        }
        if (offered_in - stream.avail_in == 0 && offered_out - stream.avail_out == 0) {
            result = floe_error_set(err, FLOE_ECORRUPT, "gzip: truncated stream after %zu bytes",
                                    output_used);
            break;
        }
    }
    inflateEnd(&stream);
    if (result == FLOE_OK && output_used != dst_size) {
        result = floe_error_set(err, FLOE_ECORRUPT, "gzip: produced %zu bytes, page header says %zu",
                                output_used, dst_size);
    }
    return result;
}

static uint32_t load_big_endian32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The Hadoop framing; returns 0 when the whole input parsed and produced exactly dst_size. */
static int decompress_lz4_hadoop(uint8_t *dst, size_t dst_size, const uint8_t *src,
                                 size_t src_size)
{
    size_t in = 0, out = 0;
    while (in < src_size) {
        if (src_size - in < 8) return -1;
        size_t block_size = load_big_endian32(src + in);
        in += 4;
        if (block_size > dst_size - out) return -1;
        size_t block_end = out + block_size;
        do {
            if (src_size - in < 4) return -1;
            size_t chunk = load_big_endian32(src + in);
            in += 4;
            if (chunk > src_size - in || chunk > INT_MAX) return -1;
            size_t room = block_end - out;
            int produced = LZ4_decompress_safe((const char *)src + in, (char *)dst + out,
                                               (int)chunk, (int)(room > INT_MAX ? INT_MAX : room));
            if (produced < 0) return -1;
            in += chunk;
            out += (size_t)produced;
            /* A chunk that produces nothing would let a crafted input loop for long. */
            if (produced == 0 && block_size != 0) return -1;
        } while (out < block_end);
    }
    return out == dst_size ? 0 : -1;
}

static int decompress_lz4_block(const char *name, uint8_t *dst, size_t dst_size,
                                const uint8_t *src, size_t src_size, floe_error *err)
{
    FLOE_RETURN_IF(src_size > INT_MAX || dst_size > INT_MAX, FLOE_EUNSUPPORTED, err,
                   "%s: page of %zu bytes is beyond LZ4's 2 GiB block limit",
                   name, src_size > dst_size ? src_size : dst_size);
    int produced = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_size,
                                       (int)dst_size);
    FLOE_RETURN_IF(produced < 0, FLOE_ECORRUPT, err, "%s: corrupt block", name);
    FLOE_RETURN_IF((size_t)produced != dst_size, FLOE_ECORRUPT, err,
                   "%s: produced %d bytes, page header says %zu", name, produced, dst_size);
    return FLOE_OK;
}

static ZSTD_DCtx *zstd_dctx(floe_pq_codec_context *context)
{
    if (context->zstd_decompress == NULL) context->zstd_decompress = ZSTD_createDCtx();
    return context->zstd_decompress;
}

static int decompress_zstd(floe_pq_codec_context *context, uint8_t *dst, size_t dst_size,
                           const uint8_t *src, size_t src_size, floe_error *err)
{
    /* Sum the sizes the frames declare, before decoding anything (a bomb check). */
    unsigned long long declared = 0;
    int all_known = 1;
    size_t in = 0;
    while (in < src_size) {
        unsigned long long frame = ZSTD_getFrameContentSize(src + in, src_size - in);
        FLOE_RETURN_IF(frame == ZSTD_CONTENTSIZE_ERROR, FLOE_ECORRUPT, err,
                       "zstd: corrupt frame header at byte %zu", in);
        if (frame == ZSTD_CONTENTSIZE_UNKNOWN) all_known = 0;
        else declared += frame;
        FLOE_RETURN_IF(all_known && declared > dst_size, FLOE_ECORRUPT, err,
                       "zstd: frames declare more than the page header's %zu bytes", dst_size);
        size_t frame_size = ZSTD_findFrameCompressedSize(src + in, src_size - in);
        FLOE_RETURN_IF(ZSTD_isError(frame_size), FLOE_ECORRUPT, err,
                       "zstd: corrupt frame at byte %zu: %s", in, ZSTD_getErrorName(frame_size));
        in += frame_size;
    }
    FLOE_RETURN_IF(all_known && declared != dst_size, FLOE_ECORRUPT, err,
                   "zstd: frames declare %llu bytes, page header says %zu", declared, dst_size);
    ZSTD_DCtx *dctx = zstd_dctx(context);
    FLOE_RETURN_IF(dctx == NULL, FLOE_ENOMEM, err, "zstd: out of memory");
    size_t produced = ZSTD_decompressDCtx(dctx, dst, dst_size, src, src_size);
    if (ZSTD_isError(produced)) {
        if (ZSTD_getErrorCode(produced) == ZSTD_error_memory_allocation) {
            return floe_error_set(err, FLOE_ENOMEM, "zstd: out of memory");
        }
        return floe_error_set(err, FLOE_ECORRUPT, "zstd: corrupt stream: %s",
                              ZSTD_getErrorName(produced));
    }
    FLOE_RETURN_IF(produced != dst_size, FLOE_ECORRUPT, err,
                   "zstd: produced %zu bytes, page header says %zu", produced, dst_size);
    return FLOE_OK;
}

int floe_pq_decompress(floe_pq_codec_context *context, int codec, void *dst, size_t dst_size,
                       const void *src, size_t src_size, size_t *written, floe_error *err)
{
    *written = 0;
    FLOE_RETURN_IF((dst == NULL && dst_size != 0) || (src == NULL && src_size != 0), FLOE_EINVAL,
                   err, "%s: NULL buffer", floe_pq_codec_name(codec));
    floe_pq_codec_context local = {NULL, NULL};
    if (context == NULL) context = &local;
    int status;
    switch (codec) {
    case FLOE_PQ_CODEC_UNCOMPRESSED:
        if (src_size != dst_size) {
            status = floe_error_set(err, FLOE_ECORRUPT,
                                    "UNCOMPRESSED: page holds %zu bytes, page header says %zu",
                                    src_size, dst_size);
        } else {
            if (dst_size != 0) memcpy(dst, src, dst_size);
            status = FLOE_OK;
        }
        break;
    case FLOE_PQ_CODEC_SNAPPY: status = decompress_snappy(dst, dst_size, src, src_size, err); break;
    case FLOE_PQ_CODEC_GZIP: status = decompress_gzip(dst, dst_size, src, src_size, err); break;
    case FLOE_PQ_CODEC_LZ4:
        if (decompress_lz4_hadoop(dst, dst_size, src, src_size) == 0) {
            status = FLOE_OK;
        } else {
            status = decompress_lz4_block("lz4 (neither Hadoop-framed nor a raw block)", dst,
                                          dst_size, src, src_size, err);
        }
        break;
    case FLOE_PQ_CODEC_ZSTD:
        status = decompress_zstd(context, dst, dst_size, src, src_size, err);
        break;
    case FLOE_PQ_CODEC_LZ4_RAW:
        status = decompress_lz4_block("lz4_raw", dst, dst_size, src, src_size, err);
        break;
    default: status = unsupported(codec, err); break;
    }
    if (context == &local) ZSTD_freeDCtx(local.zstd_decompress);
    if (status == FLOE_OK) *written = dst_size;
    return status;
}

size_t floe_pq_compress_bound(int codec, size_t src_size)
{
    switch (codec) {
    case FLOE_PQ_CODEC_UNCOMPRESSED: return src_size;
    case FLOE_PQ_CODEC_SNAPPY: return snappy_max_compressed_length(src_size);
    case FLOE_PQ_CODEC_GZIP: {
        if (src_size > UINT_MAX / 2) return 0;
        /* deflateBound for a default stream plus the gzip header and trailer's extra. */
        return (size_t)compressBound((uLong)src_size) + 18;
    }
    case FLOE_PQ_CODEC_ZSTD: {
        size_t bound = ZSTD_compressBound(src_size);
        return ZSTD_isError(bound) ? 0 : bound;
    }
    case FLOE_PQ_CODEC_LZ4_RAW:
        return src_size > LZ4_MAX_INPUT_SIZE ? 0 : (size_t)LZ4_compressBound((int)src_size);
    default: return 0;
    }
}

static int compress_gzip(int level, uint8_t *dst, size_t dst_capacity, const uint8_t *src,
                         size_t src_size, size_t *written, floe_error *err)
{
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    stream.zalloc = zlib_allocate;
    stream.zfree = zlib_release;
    if (level == 0) level = Z_DEFAULT_COMPRESSION;
    int status = deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (status == Z_MEM_ERROR) return floe_error_set(err, FLOE_ENOMEM, "gzip: out of memory");
    FLOE_RETURN_IF(status != Z_OK, FLOE_EINVAL, err, "gzip: bad compression level %d", level);
    stream.next_in = (Bytef *)(uintptr_t)src;
    stream.avail_in = (uInt)src_size;
    stream.next_out = dst;
    stream.avail_out = (uInt)(dst_capacity > UINT_MAX ? UINT_MAX : dst_capacity);
    status = deflate(&stream, Z_FINISH);
    size_t produced = (size_t)stream.total_out;
    deflateEnd(&stream);
    FLOE_RETURN_IF(status != Z_STREAM_END, status == Z_MEM_ERROR ? FLOE_ENOMEM : FLOE_EINVAL, err,
                   "gzip: compression did not finish (%d)", status);
    *written = produced;
    return FLOE_OK;
}

int floe_pq_compress(floe_pq_codec_context *context, int codec, int level, void *dst,
                     size_t dst_capacity, const void *src, size_t src_size, size_t *written,
                     floe_error *err)
{
    *written = 0;
    size_t bound = floe_pq_compress_bound(codec, src_size);
    if (bound == 0 && (codec < FLOE_PQ_CODEC_UNCOMPRESSED || codec > FLOE_PQ_CODEC_LZ4_RAW ||
                       codec == FLOE_PQ_CODEC_LZO || codec == FLOE_PQ_CODEC_BROTLI ||
                       codec == FLOE_PQ_CODEC_LZ4)) {
        if (codec == FLOE_PQ_CODEC_LZ4) {
            return floe_error_set(err, FLOE_EUNSUPPORTED,
                                  "LZ4: the deprecated Hadoop-framed codec is not written; use "
                                  "LZ4_RAW");
        }
        return unsupported(codec, err);
    }
    FLOE_RETURN_IF(bound == 0 && src_size != 0, FLOE_EUNSUPPORTED, err,
                   "%s: %zu bytes is too large to compress", floe_pq_codec_name(codec), src_size);
    FLOE_RETURN_IF(dst_capacity < bound, FLOE_EINVAL, err,
                   "%s: output capacity %zu below the bound %zu", floe_pq_codec_name(codec),
                   dst_capacity, bound);
    switch (codec) {
    case FLOE_PQ_CODEC_UNCOMPRESSED:
        if (src_size != 0) memcpy(dst, src, src_size);
        *written = src_size;
        return FLOE_OK;
    case FLOE_PQ_CODEC_SNAPPY: {
        size_t length = dst_capacity;
        snappy_status status = snappy_compress(src, src_size, dst, &length);
        FLOE_RETURN_IF(status != SNAPPY_OK, FLOE_EINVAL, err, "snappy: compression failed (%d)",
                       (int)status);
        *written = length;
        return FLOE_OK;
    }
    case FLOE_PQ_CODEC_GZIP: return compress_gzip(level, dst, dst_capacity, src, src_size, written, err);
    case FLOE_PQ_CODEC_ZSTD: {
        floe_pq_codec_context local = {NULL, NULL};
        floe_pq_codec_context *use = context != NULL ? context : &local;
        if (use->zstd_compress == NULL) use->zstd_compress = ZSTD_createCCtx();
        if (use->zstd_compress == NULL) return floe_error_set(err, FLOE_ENOMEM, "zstd: out of memory");
        size_t produced = ZSTD_compressCCtx(use->zstd_compress, dst, dst_capacity, src, src_size,
                                            level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
        if (use == &local) ZSTD_freeCCtx(local.zstd_compress);
        FLOE_RETURN_IF(ZSTD_isError(produced), FLOE_EINVAL, err, "zstd: compression failed: %s",
                       ZSTD_getErrorName(produced));
        *written = produced;
        return FLOE_OK;
    }
    case FLOE_PQ_CODEC_LZ4_RAW: {
        int produced = LZ4_compress_default(src, dst, (int)src_size,
                                            (int)(dst_capacity > INT_MAX ? INT_MAX : dst_capacity));
        FLOE_RETURN_IF(produced <= 0, FLOE_EINVAL, err, "lz4_raw: compression failed");
        *written = (size_t)produced;
        return FLOE_OK;
    }
    default: return unsupported(codec, err);
    }
}
