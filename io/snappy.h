/*
 * snappy.h — Floe's own decompressor for raw Snappy blocks (no framing format).
 *
 * Parquet pages written with codec SNAPPY hold one raw Snappy block each (google/snappy
 * format_description.txt): a varint preamble with the uncompressed length, then a sequence of
 * literals and back-reference copies. DuckDB writes numeric columns PLAIN + snappy, so decoding
 * those columns is mostly this function; Debian's generic libsnappy build runs at about half the
 * speed a decoder tuned for wide unaligned copies reaches, hence a decoder of our own. libsnappy
 * stays a dependency for compression and as the independent reference in tests and benchmarks.
 *
 * Contract:
 * - Nothing here allocates. The caller owns both buffers. The caller knows the uncompressed size
 *   (from the Parquet page header, or from floe_io_snappy_uncompressed_length) and passes a
 *   destination of exactly that size.
 * - Every byte of the input is bounds-checked: the decoder never reads past src + src_size nor
 *   writes past dst + dst_size, whatever the input. Hostile or damaged input returns
 *   FLOE_ECORRUPT with one line naming the input byte offset and what was wrong (bad or
 *   truncated varint, preamble length different from dst_size, literal longer than the input left,
 *   copy offset 0 or reaching before the start of the output, output overflow, truncated tag,
 *   output shorter than announced).
 * - On failure the contents of dst are unspecified (partly written) and *written is 0.
 * - Thread-safe: no global state.
 * - dst and src must not overlap. dst may be NULL when dst_size is 0.
 */
#ifndef FLOE_IO_SNAPPY_H
#define FLOE_IO_SNAPPY_H

#include "kernels/status.h"

#include <stddef.h>

/* Largest uncompressed length the format can announce (a 32-bit varint). */
#define FLOE_IO_SNAPPY_MAX_UNCOMPRESSED_LENGTH 0xFFFFFFFFu

/* Reads the varint preamble of a Snappy block into *length (set to 0 on failure).
 * FLOE_ECORRUPT when the varint is truncated, longer than 5 bytes, or exceeds 2^32 - 1. */
int floe_io_snappy_uncompressed_length(const void *src, size_t src_size, size_t *length,
                                       floe_error *err);

/* Decompresses the Snappy block (src, src_size) into dst, which must be exactly as long as the
 * preamble announces (dst_size; a mismatch is FLOE_ECORRUPT, since the caller took dst_size from
 * file metadata). The whole input must be consumed and produce exactly dst_size bytes.
 * On success *written = dst_size (written may be NULL). */
int floe_io_snappy_decompress(void *dst, size_t dst_size, const void *src, size_t src_size,
                              size_t *written, floe_error *err);

#endif
