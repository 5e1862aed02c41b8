/*
 * thrift_compact.c — the Thrift compact protocol, read defensively (contract in thrift_compact.h).
 *
 * Why hand-written rather than generated code: Parquet footers come from untrusted files, and the
 * generated readers of Apache Thrift allocate whatever count a list header claims and recurse
 * without limit. Here every length and count is checked against the bytes actually left before
 * anything is allocated or skipped, and nesting is bounded, so a hostile footer costs at most its
 * own size in work.
 */
#include "thrift_compact.h"

#include <string.h>

void floe_thrift_reader_init(floe_thrift_reader *reader, const void *data, size_t size,
                             uint64_t base_offset)
{
    reader->data = data;
    reader->size = data == NULL ? 0 : size;
    reader->position = 0;
    reader->base_offset = base_offset;
    reader->depth = 0;
}

const char *floe_thrift_type_name(uint8_t type)
{
    static const char *const names[] = {"stop", "bool", "bool", "i8",   "i16",    "i32", "i64",
                                        "double", "binary", "list", "set", "map", "struct",
                                        "uuid"};
    return type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

static int truncated(const floe_thrift_reader *reader, const char *what, floe_error *err)
{
    return floe_error_set(err, FLOE_ECORRUPT, "thrift: truncated %s at byte %llu", what,
                          (unsigned long long)floe_thrift_offset(reader));
}

int floe_thrift_read_varint(floe_thrift_reader *reader, uint64_t *value, floe_error *err)
{
    uint64_t result = 0;
    size_t start = reader->position;
    for (unsigned shift = 0;; shift += 7) {
        if (reader->position >= reader->size) {
            reader->position = start;
            return truncated(reader, "varint", err);
        }
        uint8_t byte = reader->data[reader->position++];
        /* The 10th byte may only carry the 64th bit. */
        if (shift == 63 && (byte & 0x7e) != 0) {
            return floe_error_set(err, FLOE_ECORRUPT,
                                  "thrift: varint at byte %llu overflows 64 bits",
                                  (unsigned long long)(reader->base_offset + start));
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
        if (shift == 63) {
            return floe_error_set(err, FLOE_ECORRUPT,
                                  "thrift: varint at byte %llu is longer than 10 bytes",
                                  (unsigned long long)(reader->base_offset + start));
        }
    }
    *value = result;
    return FLOE_OK;
}

static int64_t zigzag_decode(uint64_t value)
{
    return (int64_t)(value >> 1) ^ -(int64_t)(value & 1);
}

/* Reads a zigzag varint and checks it lies in [minimum, maximum]. */
static int read_zigzag(floe_thrift_reader *reader, int64_t minimum, int64_t maximum,
                       const char *what, int64_t *value, floe_error *err)
{
    size_t start = reader->position;
    uint64_t raw;
    FLOE_TRY(floe_thrift_read_varint(reader, &raw, err));
    int64_t decoded = zigzag_decode(raw);
    FLOE_RETURN_IF(decoded < minimum || decoded > maximum, FLOE_ECORRUPT, err,
                   "thrift: %s at byte %llu out of range (%lld)", what,
                   (unsigned long long)(reader->base_offset + start), (long long)decoded);
    *value = decoded;
    return FLOE_OK;
}

int floe_thrift_read_i8(floe_thrift_reader *reader, int8_t *value, floe_error *err)
{
    if (reader->position >= reader->size) return truncated(reader, "i8", err);
    *value = (int8_t)reader->data[reader->position++];
    return FLOE_OK;
}

int floe_thrift_read_i16(floe_thrift_reader *reader, int16_t *value, floe_error *err)
{
    int64_t wide = 0;
    FLOE_TRY(read_zigzag(reader, INT16_MIN, INT16_MAX, "i16", &wide, err));
    *value = (int16_t)wide;
    return FLOE_OK;
}

int floe_thrift_read_i32(floe_thrift_reader *reader, int32_t *value, floe_error *err)
{
    int64_t wide = 0;
    FLOE_TRY(read_zigzag(reader, INT32_MIN, INT32_MAX, "i32", &wide, err));
    *value = (int32_t)wide;
    return FLOE_OK;
}

int floe_thrift_read_i64(floe_thrift_reader *reader, int64_t *value, floe_error *err)
{
    return read_zigzag(reader, INT64_MIN, INT64_MAX, "i64", value, err);
}

int floe_thrift_read_integer(floe_thrift_reader *reader, uint8_t type, int64_t *value,
                             floe_error *err)
{
    switch (type) {
    case FLOE_THRIFT_I8: {
        int8_t narrow;
        FLOE_TRY(floe_thrift_read_i8(reader, &narrow, err));
        *value = narrow;
        return FLOE_OK;
    }
    case FLOE_THRIFT_I16:
        return read_zigzag(reader, INT16_MIN, INT16_MAX, "i16", value, err);
    case FLOE_THRIFT_I32:
        return read_zigzag(reader, INT32_MIN, INT32_MAX, "i32", value, err);
    case FLOE_THRIFT_I64:
        return read_zigzag(reader, INT64_MIN, INT64_MAX, "i64", value, err);
    default:
        return floe_error_set(err, FLOE_ECORRUPT,
                              "thrift: expected an integer at byte %llu, found %s (type %u)",
                              (unsigned long long)floe_thrift_offset(reader),
                              floe_thrift_type_name(type), (unsigned)type);
    }
}

int floe_thrift_read_double(floe_thrift_reader *reader, double *value, floe_error *err)
{
    if (floe_thrift_remaining(reader) < 8) return truncated(reader, "double", err);
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = (bits << 8) | reader->data[reader->position + (size_t)i];
    reader->position += 8;
    memcpy(value, &bits, sizeof *value);
    return FLOE_OK;
}

int floe_thrift_read_binary(floe_thrift_reader *reader, const uint8_t **bytes, size_t *length,
                            floe_error *err)
{
    size_t start = reader->position;
    uint64_t size;
    FLOE_TRY(floe_thrift_read_varint(reader, &size, err));
    /* The length is an i32 on the wire: anything above INT32_MAX is a negative length. */
    FLOE_RETURN_IF(size > INT32_MAX, FLOE_ECORRUPT, err,
                   "thrift: negative or huge binary length at byte %llu",
                   (unsigned long long)(reader->base_offset + start));
    FLOE_RETURN_IF(size > floe_thrift_remaining(reader), FLOE_ECORRUPT, err,
                   "thrift: binary of %llu bytes at byte %llu runs past the end (%zu bytes left)",
                   (unsigned long long)size, (unsigned long long)(reader->base_offset + start),
                   floe_thrift_remaining(reader));
    *bytes = reader->data + reader->position;
    *length = (size_t)size;
    reader->position += (size_t)size;
    return FLOE_OK;
}

int floe_thrift_read_bool_element(floe_thrift_reader *reader, bool *value, floe_error *err)
{
    if (reader->position >= reader->size) return truncated(reader, "bool", err);
    uint8_t byte = reader->data[reader->position];
    /* The specification says 1/0; the C++ library writes 1/2. Accept both. */
    FLOE_RETURN_IF(byte > 2, FLOE_ECORRUPT, err, "thrift: bad bool byte 0x%02x at byte %llu",
                   byte, (unsigned long long)floe_thrift_offset(reader));
    reader->position++;
    *value = byte == 1;
    return FLOE_OK;
}

static int enter(floe_thrift_reader *reader, floe_error *err)
{
    FLOE_RETURN_IF(reader->depth >= FLOE_THRIFT_MAX_DEPTH, FLOE_ECORRUPT, err,
                   "thrift: nesting deeper than %d at byte %llu", FLOE_THRIFT_MAX_DEPTH,
                   (unsigned long long)floe_thrift_offset(reader));
    reader->depth++;
    return FLOE_OK;
}

int floe_thrift_struct_begin(floe_thrift_reader *reader, floe_error *err)
{
    return enter(reader, err);
}

void floe_thrift_struct_end(floe_thrift_reader *reader)
{
    if (reader->depth > 0) reader->depth--;
}

int floe_thrift_read_field_header(floe_thrift_reader *reader, int16_t *last_id,
                                  floe_thrift_field *field, floe_error *err)
{
    if (reader->position >= reader->size) return truncated(reader, "struct (no stop field)", err);
    size_t start = reader->position;
    uint8_t byte = reader->data[reader->position++];
    uint8_t type = byte & 0x0f;
    field->type = type;
    field->bool_value = false;
    field->id = 0;
    if (byte == 0) return FLOE_OK; /* stop */
    FLOE_RETURN_IF(type == FLOE_THRIFT_STOP || type > FLOE_THRIFT_UUID, FLOE_ECORRUPT, err,
                   "thrift: unknown field type %u at byte %llu", (unsigned)type,
                   (unsigned long long)(reader->base_offset + start));
    unsigned delta = byte >> 4;
    if (delta != 0) {
        int32_t id = (int32_t)*last_id + (int32_t)delta;
        FLOE_RETURN_IF(id > INT16_MAX, FLOE_ECORRUPT, err,
                       "thrift: field id overflows at byte %llu",
                       (unsigned long long)(reader->base_offset + start));
        field->id = (int16_t)id;
    } else {
        FLOE_TRY(floe_thrift_read_i16(reader, &field->id, err));
    }
    *last_id = field->id;
    if (type == FLOE_THRIFT_BOOL_TRUE) field->bool_value = true;
    return FLOE_OK;
}

/* Element types allowed in containers: every value type (1 and 2 both mean bool). */
static int check_element_type(const floe_thrift_reader *reader, uint8_t type, size_t at,
                              floe_error *err)
{
    FLOE_RETURN_IF(type == FLOE_THRIFT_STOP || type > FLOE_THRIFT_UUID, FLOE_ECORRUPT, err,
                   "thrift: unknown element type %u at byte %llu", (unsigned)type,
                   (unsigned long long)(reader->base_offset + at));
    return FLOE_OK;
}

int floe_thrift_read_list_header(floe_thrift_reader *reader, uint8_t *element_type,
                                 uint32_t *count, floe_error *err)
{
    if (reader->position >= reader->size) return truncated(reader, "list header", err);
    size_t start = reader->position;
    uint8_t byte = reader->data[reader->position++];
    uint8_t type = byte & 0x0f;
    FLOE_TRY(check_element_type(reader, type, start, err));
    uint64_t size = byte >> 4;
    if (size == 15) {
        FLOE_TRY(floe_thrift_read_varint(reader, &size, err));
        FLOE_RETURN_IF(size > INT32_MAX, FLOE_ECORRUPT, err,
                       "thrift: negative or huge list size at byte %llu",
                       (unsigned long long)(reader->base_offset + start));
    }
    FLOE_RETURN_IF(size > floe_thrift_remaining(reader), FLOE_ECORRUPT, err,
                   "thrift: list of %llu elements at byte %llu cannot fit in the %zu bytes left",
                   (unsigned long long)size, (unsigned long long)(reader->base_offset + start),
                   floe_thrift_remaining(reader));
    *element_type = type;
    *count = (uint32_t)size;
    return FLOE_OK;
}

int floe_thrift_read_map_header(floe_thrift_reader *reader, uint8_t *key_type,
                                uint8_t *value_type, uint32_t *count, floe_error *err)
{
    size_t start = reader->position;
    uint64_t size;
    FLOE_TRY(floe_thrift_read_varint(reader, &size, err));
    if (size == 0) {
        *key_type = *value_type = 0;
        *count = 0;
        return FLOE_OK;
    }
    FLOE_RETURN_IF(size > INT32_MAX, FLOE_ECORRUPT, err,
                   "thrift: negative or huge map size at byte %llu",
                   (unsigned long long)(reader->base_offset + start));
    if (reader->position >= reader->size) return truncated(reader, "map header", err);
    uint8_t types = reader->data[reader->position];
    FLOE_TRY(check_element_type(reader, types >> 4, reader->position, err));
    FLOE_TRY(check_element_type(reader, types & 0x0f, reader->position, err));
    reader->position++;
    /* Every key and every value takes at least one byte. */
    FLOE_RETURN_IF(size > floe_thrift_remaining(reader) / 2, FLOE_ECORRUPT, err,
                   "thrift: map of %llu entries at byte %llu cannot fit in the %zu bytes left",
                   (unsigned long long)size, (unsigned long long)(reader->base_offset + start),
                   floe_thrift_remaining(reader));
    *key_type = types >> 4;
    *value_type = types & 0x0f;
    *count = (uint32_t)size;
    return FLOE_OK;
}

static int skip_bytes(floe_thrift_reader *reader, size_t count, const char *what, floe_error *err)
{
    if (floe_thrift_remaining(reader) < count) return truncated(reader, what, err);
    reader->position += count;
    return FLOE_OK;
}

int floe_thrift_skip_value(floe_thrift_reader *reader, uint8_t type, bool in_container,
                           floe_error *err)
{
    switch (type) {
    case FLOE_THRIFT_BOOL_TRUE:
    case FLOE_THRIFT_BOOL_FALSE:
        if (in_container) {
            bool ignored;
            return floe_thrift_read_bool_element(reader, &ignored, err);
        }
        return FLOE_OK; /* the value was in the field header */
    case FLOE_THRIFT_I8:
        return skip_bytes(reader, 1, "i8", err);
    case FLOE_THRIFT_I16:
    case FLOE_THRIFT_I32:
    case FLOE_THRIFT_I64: {
        uint64_t ignored;
        return floe_thrift_read_varint(reader, &ignored, err);
    }
    case FLOE_THRIFT_DOUBLE:
        return skip_bytes(reader, 8, "double", err);
    case FLOE_THRIFT_UUID:
        return skip_bytes(reader, 16, "uuid", err);
    case FLOE_THRIFT_BINARY: {
        const uint8_t *bytes;
        size_t length;
        return floe_thrift_read_binary(reader, &bytes, &length, err);
    }
    case FLOE_THRIFT_LIST:
    case FLOE_THRIFT_SET: {
        uint8_t element_type;
        uint32_t count;
        FLOE_TRY(floe_thrift_read_list_header(reader, &element_type, &count, err));
        FLOE_TRY(enter(reader, err));
        for (uint32_t i = 0; i < count; i++) {
            FLOE_TRY(floe_thrift_skip_value(reader, element_type, true, err));
        }
        reader->depth--;
        return FLOE_OK;
    }
    case FLOE_THRIFT_MAP: {
        uint8_t key_type, value_type;
        uint32_t count;
        FLOE_TRY(floe_thrift_read_map_header(reader, &key_type, &value_type, &count, err));
        FLOE_TRY(enter(reader, err));
        for (uint32_t i = 0; i < count; i++) {
            FLOE_TRY(floe_thrift_skip_value(reader, key_type, true, err));
            FLOE_TRY(floe_thrift_skip_value(reader, value_type, true, err));
        }
        reader->depth--;
        return FLOE_OK;
    }
    case FLOE_THRIFT_STRUCT: {
        FLOE_TRY(floe_thrift_struct_begin(reader, err));
        int16_t last_id = 0;
        for (;;) {
            floe_thrift_field field;
            FLOE_TRY(floe_thrift_read_field_header(reader, &last_id, &field, err));
            if (field.type == FLOE_THRIFT_STOP) break;
            FLOE_TRY(floe_thrift_skip_value(reader, field.type, false, err));
        }
        floe_thrift_struct_end(reader);
        return FLOE_OK;
    }
    default:
        return floe_error_set(err, FLOE_ECORRUPT, "thrift: cannot skip unknown type %u at byte %llu",
                              (unsigned)type, (unsigned long long)floe_thrift_offset(reader));
    }
}
