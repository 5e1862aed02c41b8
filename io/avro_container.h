/*
 * avro_container.h — Avro object container files: the framing around records, read and written
 * by Floe itself, and a bounds-checked walk over one record's binary encoding.
 *
 * Layout (Avro 1.11 specification, "Object Container Files"):
 *
 *   header   "Obj" 0x01 | metadata map<string, bytes> | 16-byte sync marker
 *   block*   long object count | long byte size | byte size bytes of records (after the codec)
 *            | the same 16-byte sync marker
 *
 * A map is encoded as blocks of (long count, [long byte size if count < 0], count × (string key,
 * bytes value)), ended by a block of count 0. Longs are zig-zag varints of at most 10 bytes.
 *
 * Why not Avro C's own avro_file_reader / avro_file_writer:
 *   - Avro C's schema writer drops the `field-id`, `element-id` and `default` attributes when it
 *     writes the header's avro.schema (checked with Avro C 1.11.1: a field declared
 *     {"name":"a","type":["null","long"],"default":null,"field-id":1} comes back as
 *     {"name":"a","type":[{"type":"null"},{"type":"long"}]}); Iceberg readers need those ids, so
 *     the writer here puts the caller's schema text into the header byte for byte.
 *   - Avro C's generic decoder trusts lengths and counts read from the file: a string or array
 *     count of 2^31 makes it allocate that much, and it leaks on the error path (seen under ASan).
 *     So the reader here checks the framing itself, inflates blocks with zlib under a size cap,
 *     and floe_avro_datum_check walks each record against the writer's schema, proving every
 *     length, count and union branch fits, before Avro C decodes exactly that record's bytes.
 *
 * Memory: floe_avro_container_open keeps pointers into the caller's buffer (which must outlive
 * the container) and allocates the metadata table and the inflate buffer with floe_malloc;
 * floe_avro_container_fini frees them. The writer owns a growing byte buffer until
 * floe_avro_writer_finish hands it to the caller (release with floe_free).
 *
 * Errors: FLOE_ECORRUPT for anything the format does not allow (message names the byte offset),
 * FLOE_EUNSUPPORTED for codecs other than null and deflate, FLOE_ENOMEM.
 */
#ifndef FLOE_IO_AVRO_CONTAINER_H
#define FLOE_IO_AVRO_CONTAINER_H

#include "kernels/status.h"

#include <avro.h>   /* avro_schema_t */
#include <stddef.h>
#include <stdint.h>

enum { FLOE_AVRO_SYNC_SIZE = 16 };

typedef enum floe_avro_codec {
    FLOE_AVRO_CODEC_NULL = 0,
    FLOE_AVRO_CODEC_DEFLATE = 1,
} floe_avro_codec;

/* One header metadata entry; key and value point into the file's bytes (key not NUL-terminated). */
typedef struct floe_avro_metadata {
    const char *key;
    size_t key_size;
    const uint8_t *value;
    size_t value_size;
} floe_avro_metadata;

typedef struct floe_avro_container {
    const uint8_t *data;             /* the whole file, borrowed */
    size_t size;
    floe_avro_metadata *metadata;    /* floe_malloc'd table */
    size_t metadata_count;
    floe_avro_codec codec;
    uint8_t sync[FLOE_AVRO_SYNC_SIZE];
    size_t position;                 /* offset of the next block */
    uint8_t *inflated;               /* reusable buffer for deflate blocks */
    size_t inflated_capacity;
    size_t max_block_size;           /* cap on a block's decoded size */
} floe_avro_container;

/* Parses the header of `data`. On failure nothing is left to free. */
int floe_avro_container_open(floe_avro_container *container, const uint8_t *data, size_t size,
                             floe_error *err);
void floe_avro_container_fini(floe_avro_container *container);

/* The value of metadata key `key`, or NULL (value_size 0) when absent. */
const uint8_t *floe_avro_container_metadata(const floe_avro_container *container, const char *key,
                                            size_t *value_size);

/* Returns 1 and the next block's decoded record bytes (valid until the next call) and object
 * count, 0 at the end of the file, or a negative status. */
int floe_avro_container_next_block(floe_avro_container *container, const uint8_t **records,
                                   size_t *records_size, int64_t *object_count, floe_error *err);

/* Walks one datum of `schema` at the start of data[0..size) without allocating: every varint is
 * at most 10 bytes, every length and count fits in the bytes that remain, every union branch and
 * enum symbol exists. Sets *datum_size to the bytes it spans. Named references (Avro C links) are
 * accepted only to fixed and enum types, so that no schema can recurse. */
int floe_avro_datum_check(avro_schema_t schema, const uint8_t *data, size_t size,
                          size_t *datum_size, floe_error *err);

/* Checks schema JSON text before Avro C parses it: valid JSON, known type names, every named
 * type defined once, every field named once (Avro C 1.11 leaks on some of these errors). */
int floe_avro_schema_text_check(const char *text, size_t size, floe_error *err);

/* Refuses schemas this reader will not decode (recursive named references); see above. */
int floe_avro_schema_check(avro_schema_t schema, floe_error *err);

/* ---- writing ---- */

typedef struct floe_avro_writer {
    uint8_t *buffer;                 /* the file so far */
    size_t size;
    size_t capacity;
    uint8_t *block;                  /* records of the block being filled */
    size_t block_size;
    size_t block_capacity;
    int64_t block_count;
    floe_avro_codec codec;
    uint8_t sync[FLOE_AVRO_SYNC_SIZE];
} floe_avro_writer;

/* Starts a file: writes the header with avro.schema = schema_json exactly as given, avro.codec,
 * and the extra metadata entries (values are byte strings). The sync marker is random. */
int floe_avro_writer_init(floe_avro_writer *writer, const char *schema_json, floe_avro_codec codec,
                          const floe_avro_metadata *extra, size_t extra_count, floe_error *err);

/* Appends one record's binary encoding; blocks are closed at about 64 KiB. */
int floe_avro_writer_append(floe_avro_writer *writer, const void *record, size_t record_size,
                            floe_error *err);

/* Closes the last block and moves the file's bytes to the caller (*bytes freed with floe_free);
 * the writer is left empty. */
int floe_avro_writer_finish(floe_avro_writer *writer, uint8_t **bytes, size_t *size,
                            floe_error *err);

/* Frees whatever the writer still holds (after an error, or instead of finishing). */
void floe_avro_writer_fini(floe_avro_writer *writer);

#endif
