/*
 * thrift_compact_write.h — a writer of the Thrift compact protocol into a growing byte buffer.
 *
 * The mirror of io/thrift_compact.h: the Parquet writer (io/parquet_writer.c) encodes its page
 * headers and its footer (FileMetaData) with it. It knows nothing of Parquet; the field ids live
 * with the caller (io/parquet_footer_int.h).
 *
 * Encoding (apache/thrift doc/specs/thrift-compact-protocol.md):
 * - a field header is one byte (id delta << 4 | type) when the id is 1..15 above the previous
 *   field's id in the same struct, else the type byte followed by the id as a zigzag varint;
 * - i16/i32/i64 are zigzag varints, i8 one byte, double 8 bytes little-endian;
 * - binary/string: varint length, then the bytes;
 * - a bool FIELD carries its value in the header's type (1 true, 2 false); a bool list element is
 *   one byte (1 true, 2 false);
 * - a list header: (count << 4 | element type) when count < 15, else (0xF0 | type) then the count
 *   as a varint;
 * - a struct ends with a STOP byte (0).
 *
 * Usage: floe_thrift_writer_init, then
 *     floe_thrift_write_struct_begin(w);                     top-level struct
 *     floe_thrift_write_i32_field(w, 1, 42);
 *     floe_thrift_write_field_header(w, FLOE_THRIFT_STRUCT, 5); floe_thrift_write_struct_begin(w);
 *     ... floe_thrift_write_struct_end(w);                   nested struct (writes its STOP)
 *     floe_thrift_write_list_begin(w, FLOE_THRIFT_STRUCT, n) after a LIST field header, then n
 *     elements (structs: struct_begin ... struct_end, each element restarts field ids at 0)
 *     floe_thrift_write_struct_end(w);
 * and finally floe_thrift_writer_status(w, err).
 *
 * Errors are sticky so that encoding code stays a straight list of calls: the first failure
 * (FLOE_ENOMEM when the buffer cannot grow, FLOE_EINVAL for nesting past FLOE_THRIFT_MAX_DEPTH, a
 * struct_end without begin, a negative length) is remembered, later calls do nothing, and
 * floe_thrift_writer_status reports it. Memory: the buffer is owned by the writer (floe_malloc),
 * released by floe_thrift_writer_fini; floe_thrift_writer_reset empties it for reuse.
 */
#ifndef FLOE_IO_THRIFT_COMPACT_WRITE_H
#define FLOE_IO_THRIFT_COMPACT_WRITE_H

#include "io/thrift_compact.h" /* floe_thrift_type, FLOE_THRIFT_MAX_DEPTH */
#include "kernels/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct floe_thrift_writer {
    uint8_t *data;      /* encoded bytes (owned) */
    size_t size;        /* bytes written */
    size_t capacity;    /* bytes allocated */
    int status;         /* first failure, FLOE_OK while none */
    int depth;          /* open structs */
    int16_t last_id[FLOE_THRIFT_MAX_DEPTH + 1]; /* previous field id per open struct */
} floe_thrift_writer;

void floe_thrift_writer_init(floe_thrift_writer *writer);
void floe_thrift_writer_fini(floe_thrift_writer *writer);
/* Forgets the bytes (keeps the allocation) and clears the status. */
void floe_thrift_writer_reset(floe_thrift_writer *writer);

/* FLOE_OK, or the first failure with a message in err. */
int floe_thrift_writer_status(const floe_thrift_writer *writer, floe_error *err);

/* Raw values (also used inside containers). */
void floe_thrift_write_byte(floe_thrift_writer *writer, uint8_t value);
void floe_thrift_write_varint(floe_thrift_writer *writer, uint64_t value);
void floe_thrift_write_i16(floe_thrift_writer *writer, int16_t value);
void floe_thrift_write_i32(floe_thrift_writer *writer, int32_t value);
void floe_thrift_write_i64(floe_thrift_writer *writer, int64_t value);
void floe_thrift_write_double(floe_thrift_writer *writer, double value);
void floe_thrift_write_binary(floe_thrift_writer *writer, const void *bytes, size_t length);
void floe_thrift_write_string(floe_thrift_writer *writer, const char *text); /* NUL-terminated */
void floe_thrift_write_bool_element(floe_thrift_writer *writer, bool value);

/* Structs: begin pushes a fresh field-id context, end writes STOP and pops it. */
void floe_thrift_write_struct_begin(floe_thrift_writer *writer);
void floe_thrift_write_struct_end(floe_thrift_writer *writer);

/* A field header of the open struct (type is a floe_thrift_type; for bools use the bool field
 * function below). Ids must be positive. */
void floe_thrift_write_field_header(floe_thrift_writer *writer, uint8_t type, int16_t id);

/* A list (or set) header: element type and count. */
void floe_thrift_write_list_begin(floe_thrift_writer *writer, uint8_t element_type,
                                  uint32_t count);

/* Field header and value in one call. */
void floe_thrift_write_bool_field(floe_thrift_writer *writer, int16_t id, bool value);
void floe_thrift_write_i32_field(floe_thrift_writer *writer, int16_t id, int32_t value);
void floe_thrift_write_i64_field(floe_thrift_writer *writer, int16_t id, int64_t value);
void floe_thrift_write_binary_field(floe_thrift_writer *writer, int16_t id, const void *bytes,
                                    size_t length);
void floe_thrift_write_string_field(floe_thrift_writer *writer, int16_t id, const char *text);

#endif
