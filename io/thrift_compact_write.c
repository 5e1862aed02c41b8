/*
 * thrift_compact_write.c — Thrift compact protocol encoding for the Parquet writer.
 *
 * Why a hand-written encoder and not the Thrift library: Parquet needs a dozen structs, the
 * encoding is a handful of rules (thrift_compact_write.h), and owning it keeps allocation on
 * floe_malloc and errors on Floe's status codes. The sticky status keeps the long struct encoders
 * in io/parquet_writer.c free of per-call error checks.
 */
#include "io/thrift_compact_write.h"

#include "kernels/memory.h" /* floe_realloc, floe_free */

#include <string.h>

void floe_thrift_writer_init(floe_thrift_writer *writer)
{
    memset(writer, 0, sizeof *writer);
}

void floe_thrift_writer_fini(floe_thrift_writer *writer)
{
    floe_free(writer->data);
    memset(writer, 0, sizeof *writer);
}

void floe_thrift_writer_reset(floe_thrift_writer *writer)
{
    writer->size = 0;
    writer->status = FLOE_OK;
    writer->depth = 0;
    writer->last_id[0] = 0;
}

int floe_thrift_writer_status(const floe_thrift_writer *writer, floe_error *err)
{
    switch (writer->status) {
    case FLOE_OK: return FLOE_OK;
    case FLOE_ENOMEM: return floe_error_set(err, FLOE_ENOMEM, "thrift writer: out of memory");
    default:
        return floe_error_set(err, writer->status,
                              "thrift writer: unbalanced or too deeply nested structs");
    }
}

static bool reserve(floe_thrift_writer *writer, size_t extra)
{
    if (writer->status != FLOE_OK) return false;
    if (extra <= writer->capacity - writer->size) return true;
    size_t capacity = writer->capacity < 256 ? 256 : writer->capacity;
    while (capacity - writer->size < extra) {
        if (capacity > SIZE_MAX / 2) {
            writer->status = FLOE_ENOMEM;
            return false;
        }
        capacity *= 2;
    }
    uint8_t *data = floe_realloc(writer->data, capacity);
    if (data == NULL) {
        writer->status = FLOE_ENOMEM;
        return false;
    }
    writer->data = data;
    writer->capacity = capacity;
    return true;
}

static void append(floe_thrift_writer *writer, const void *bytes, size_t length)
{
    if (!reserve(writer, length)) return;
    if (length != 0) memcpy(writer->data + writer->size, bytes, length);
    writer->size += length;
}

void floe_thrift_write_byte(floe_thrift_writer *writer, uint8_t value)
{
    append(writer, &value, 1);
}

void floe_thrift_write_varint(floe_thrift_writer *writer, uint64_t value)
{
    uint8_t bytes[10];
    size_t length = 0;
    while (value >= 0x80) {
        bytes[length++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    bytes[length++] = (uint8_t)value;
    append(writer, bytes, length);
}

static uint64_t zigzag64(int64_t value)
{
    return ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
}

void floe_thrift_write_i16(floe_thrift_writer *writer, int16_t value)
{
    floe_thrift_write_varint(writer, zigzag64(value));
}

void floe_thrift_write_i32(floe_thrift_writer *writer, int32_t value)
{
    floe_thrift_write_varint(writer, zigzag64(value));
}

void floe_thrift_write_i64(floe_thrift_writer *writer, int64_t value)
{
    floe_thrift_write_varint(writer, zigzag64(value));
}

void floe_thrift_write_double(floe_thrift_writer *writer, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(bits >> (8 * i));
    append(writer, bytes, sizeof bytes);
}

void floe_thrift_write_binary(floe_thrift_writer *writer, const void *bytes, size_t length)
{
    if (length > INT32_MAX) {
        if (writer->status == FLOE_OK) writer->status = FLOE_EINVAL;
        return;
    }
    floe_thrift_write_varint(writer, length);
    append(writer, bytes, length);
}

void floe_thrift_write_string(floe_thrift_writer *writer, const char *text)
{
    floe_thrift_write_binary(writer, text, strlen(text));
}

void floe_thrift_write_bool_element(floe_thrift_writer *writer, bool value)
{
    floe_thrift_write_byte(writer, value ? FLOE_THRIFT_BOOL_TRUE : FLOE_THRIFT_BOOL_FALSE);
}

void floe_thrift_write_struct_begin(floe_thrift_writer *writer)
{
    if (writer->status != FLOE_OK) return;
    if (writer->depth >= FLOE_THRIFT_MAX_DEPTH) {
        writer->status = FLOE_EINVAL;
        return;
    }
    writer->depth++;
    writer->last_id[writer->depth] = 0;
}

void floe_thrift_write_struct_end(floe_thrift_writer *writer)
{
    if (writer->status != FLOE_OK) return;
    if (writer->depth <= 0) {
        writer->status = FLOE_EINVAL;
        return;
    }
    floe_thrift_write_byte(writer, FLOE_THRIFT_STOP);
    writer->depth--;
}

void floe_thrift_write_field_header(floe_thrift_writer *writer, uint8_t type, int16_t id)
{
    if (writer->status != FLOE_OK) return;
    if (writer->depth <= 0 || id <= 0) {
        writer->status = FLOE_EINVAL;
        return;
    }
    int delta = id - writer->last_id[writer->depth];
    if (delta > 0 && delta <= 15) {
        floe_thrift_write_byte(writer, (uint8_t)(delta << 4 | (type & 0x0F)));
    } else {
        floe_thrift_write_byte(writer, (uint8_t)(type & 0x0F));
        floe_thrift_write_i16(writer, id);
    }
    writer->last_id[writer->depth] = id;
}

void floe_thrift_write_list_begin(floe_thrift_writer *writer, uint8_t element_type,
                                  uint32_t count)
{
    if (count < 15) {
        floe_thrift_write_byte(writer, (uint8_t)(count << 4 | (element_type & 0x0F)));
    } else {
        floe_thrift_write_byte(writer, (uint8_t)(0xF0 | (element_type & 0x0F)));
        floe_thrift_write_varint(writer, count);
    }
}

void floe_thrift_write_bool_field(floe_thrift_writer *writer, int16_t id, bool value)
{
    floe_thrift_write_field_header(writer, value ? FLOE_THRIFT_BOOL_TRUE : FLOE_THRIFT_BOOL_FALSE,
                                   id);
}

void floe_thrift_write_i32_field(floe_thrift_writer *writer, int16_t id, int32_t value)
{
    floe_thrift_write_field_header(writer, FLOE_THRIFT_I32, id);
    floe_thrift_write_i32(writer, value);
}

void floe_thrift_write_i64_field(floe_thrift_writer *writer, int16_t id, int64_t value)
{
    floe_thrift_write_field_header(writer, FLOE_THRIFT_I64, id);
    floe_thrift_write_i64(writer, value);
}

void floe_thrift_write_binary_field(floe_thrift_writer *writer, int16_t id, const void *bytes,
                                    size_t length)
{
    floe_thrift_write_field_header(writer, FLOE_THRIFT_BINARY, id);
    floe_thrift_write_binary(writer, bytes, length);
}

void floe_thrift_write_string_field(floe_thrift_writer *writer, int16_t id, const char *text)
{
    floe_thrift_write_binary_field(writer, id, text, strlen(text));
}
