/*
 * thrift_compact.h — a bounds-checked reader of the Thrift compact protocol.
 *
 * Parquet stores its footer (FileMetaData) and every page header as Thrift structs in the compact
 * protocol (apache/thrift doc/specs/thrift-compact-protocol.md). This module reads that encoding
 * from a byte buffer and knows nothing of Parquet: io/parquet_footer.c drives it field by field.
 *
 * Contract:
 * - A floe_thrift_reader is a cursor over (data, size) that the caller owns and keeps alive.
 *   Nothing here allocates: binary values are returned as views into the caller's buffer.
 * - Every read is bounds-checked. Any malformed input (truncated value, varint longer than 10
 *   bytes or out of range for its type, negative or oversized length, list/map element count
 *   larger than the bytes left, unknown type code, nesting deeper than FLOE_THRIFT_MAX_DEPTH)
 *   returns FLOE_ECORRUPT with a message naming the byte offset: reader->base_offset + the
 *   position in the buffer, so a footer read at file offset N reports file offsets.
 * - After an error the reader's position is unspecified; callers stop using it.
 *
 * Struct decoding pattern (field ids are relative: a short-form header carries the delta):
 *
 *     int16_t last_id = 0;
 *     FLOE_TRY(floe_thrift_struct_begin(reader, err));
 *     for (;;) {
 *         floe_thrift_field field;
 *         FLOE_TRY(floe_thrift_read_field_header(reader, &last_id, &field, err));
 *         if (field.type == FLOE_THRIFT_STOP) break;
 *         switch (field.id) { ...; default: FLOE_TRY(floe_thrift_skip(reader, field.type, err)); }
 *     }
 *     floe_thrift_struct_end(reader);
 *
 * Booleans: a struct field of type bool carries its value in the header (type code 1 = true,
 * 2 = false, field.bool_value); list/set/map elements of type bool are one byte each, read with
 * floe_thrift_read_bool_element (1 = true; 0 or 2 = false, since writers differ).
 */
#ifndef FLOE_IO_THRIFT_COMPACT_H
#define FLOE_IO_THRIFT_COMPACT_H

#include "kernels/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting limit for structs and containers: protects the C stack from malicious input. Parquet's
 * deepest legitimate nesting (FileMetaData > RowGroup > ColumnChunk > ColumnMetaData >
 * Statistics, LogicalType > TimestampType > TimeUnit) is under 10. */
enum { FLOE_THRIFT_MAX_DEPTH = 64 };

/* Compact-protocol type codes as they appear on the wire (field headers and element types). */
typedef enum floe_thrift_type {
    FLOE_THRIFT_STOP = 0,
    FLOE_THRIFT_BOOL_TRUE = 1, /* field header: bool true; element type: bool (some writers) */
    FLOE_THRIFT_BOOL_FALSE = 2,/* field header: bool false; element type: bool */
    FLOE_THRIFT_I8 = 3,
    FLOE_THRIFT_I16 = 4,
    FLOE_THRIFT_I32 = 5,
    FLOE_THRIFT_I64 = 6,
    FLOE_THRIFT_DOUBLE = 7,
    FLOE_THRIFT_BINARY = 8,
    FLOE_THRIFT_LIST = 9,
    FLOE_THRIFT_SET = 10,
    FLOE_THRIFT_MAP = 11,
    FLOE_THRIFT_STRUCT = 12,
    FLOE_THRIFT_UUID = 13,
} floe_thrift_type;

typedef struct floe_thrift_reader {
    const uint8_t *data; /* the buffer (not owned) */
    size_t size;         /* its length */
    size_t position;     /* next byte to read */
    uint64_t base_offset;/* added to positions in error messages (e.g. the footer's file offset) */
    int depth;           /* current struct/container nesting */
} floe_thrift_reader;

typedef struct floe_thrift_field {
    int16_t id;          /* field id (absolute, deltas resolved) */
    uint8_t type;        /* a floe_thrift_type; FLOE_THRIFT_STOP ends the struct */
    bool bool_value;     /* for FLOE_THRIFT_BOOL_TRUE / _FALSE fields: the value */
} floe_thrift_field;

void floe_thrift_reader_init(floe_thrift_reader *reader, const void *data, size_t size,
                             uint64_t base_offset);

/* Bytes not yet read. */
static inline size_t floe_thrift_remaining(const floe_thrift_reader *reader)
{
    return reader->size - reader->position;
}

/* The absolute offset of the next byte (for messages). */
static inline uint64_t floe_thrift_offset(const floe_thrift_reader *reader)
{
    return reader->base_offset + reader->position;
}

/* An unsigned LEB128 varint of at most 10 bytes whose value fits in 64 bits. */
int floe_thrift_read_varint(floe_thrift_reader *reader, uint64_t *value, floe_error *err);

/* Zigzag varints, range-checked for the width. i8 is one raw byte. */
int floe_thrift_read_i8(floe_thrift_reader *reader, int8_t *value, floe_error *err);
int floe_thrift_read_i16(floe_thrift_reader *reader, int16_t *value, floe_error *err);
int floe_thrift_read_i32(floe_thrift_reader *reader, int32_t *value, floe_error *err);
int floe_thrift_read_i64(floe_thrift_reader *reader, int64_t *value, floe_error *err);

/* Reads an integer of any of the wire types i8/i16/i32/i64 (`type`), as int64. Lets decoders
 * accept a writer that widened a field; FLOE_ECORRUPT for a non-integer type. */
int floe_thrift_read_integer(floe_thrift_reader *reader, uint8_t type, int64_t *value,
                             floe_error *err);

/* 8 bytes, little-endian IEEE 754. */
int floe_thrift_read_double(floe_thrift_reader *reader, double *value, floe_error *err);

/* Length-prefixed bytes; *bytes points into the reader's buffer. */
int floe_thrift_read_binary(floe_thrift_reader *reader, const uint8_t **bytes, size_t *length,
                            floe_error *err);

/* A bool inside a list, set or map (one byte). */
int floe_thrift_read_bool_element(floe_thrift_reader *reader, bool *value, floe_error *err);

/* Enter/leave a struct: tracks the depth limit. struct_begin fails past FLOE_THRIFT_MAX_DEPTH. */
int floe_thrift_struct_begin(floe_thrift_reader *reader, floe_error *err);
void floe_thrift_struct_end(floe_thrift_reader *reader);

/* Reads a field header; *last_id is the previous field id of this struct (0 at its start) and is
 * updated. At the end of the struct field->type is FLOE_THRIFT_STOP. */
int floe_thrift_read_field_header(floe_thrift_reader *reader, int16_t *last_id,
                                  floe_thrift_field *field, floe_error *err);

/* List and set headers (same encoding). *count is checked against the bytes left (every element
 * takes at least one byte), so a caller may allocate count elements safely. */
int floe_thrift_read_list_header(floe_thrift_reader *reader, uint8_t *element_type,
                                 uint32_t *count, floe_error *err);

/* Map header; an empty map has key/value types 0. *count is checked against the bytes left. */
int floe_thrift_read_map_header(floe_thrift_reader *reader, uint8_t *key_type,
                                uint8_t *value_type, uint32_t *count, floe_error *err);

/* Skips one value of the given type (a field value, or a container element: element type 1 or 2
 * means a one-byte bool there, pass in_container = true). Nested values count against the depth
 * limit. */
int floe_thrift_skip_value(floe_thrift_reader *reader, uint8_t type, bool in_container,
                           floe_error *err);

/* Skips the value of a struct field whose id the caller does not know. */
static inline int floe_thrift_skip(floe_thrift_reader *reader, uint8_t type, floe_error *err)
{
    return floe_thrift_skip_value(reader, type, false, err);
}

/* A short name of a type code ("i32", "struct"…) for messages; "unknown" otherwise. */
const char *floe_thrift_type_name(uint8_t type);

#endif
