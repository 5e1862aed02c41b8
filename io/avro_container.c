/*
 * avro_container.c — Avro object container framing, read and written by hand.
 *
 * Why by hand: Avro C's file writer rewrites the schema text and loses Iceberg's field ids, and
 * its file reader and generic decoder allocate whatever sizes a file claims (see the header).
 * Everything here is bounds-checked against the bytes actually present; the only allocations are
 * the metadata table, the inflate buffer and the writer's buffers, all through floe_malloc.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/avro_container.h"

#include "kernels/memory.h" /* floe_malloc, floe_realloc, floe_free */

#include <string.h>
#include <sys/random.h> /* getrandom for the sync marker */
#include <time.h>
#include <unistd.h>
#include <jansson.h>    /* schema text checked before Avro C parses it */
#include <zlib.h>       /* raw deflate, the "deflate" codec */

static const uint8_t avro_magic[4] = {'O', 'b', 'j', 1};

/* A decoded block may not exceed this (manifests are kilobytes; this stops inflate bombs). */
enum { AVRO_DEFAULT_MAX_BLOCK = 64 << 20, AVRO_MAX_METADATA = 1024, AVRO_MAX_DEPTH = 64 };
enum { AVRO_TARGET_BLOCK = 64 << 10 };

/* ---- reading primitives ---- */

/* Reads a zig-zag varint long at *position; at most 10 bytes. */
static int read_long(const uint8_t *data, size_t size, size_t *position, int64_t *value)
{
    uint64_t result = 0;
    for (int shift = 0, i = 0; i < 10; i++, shift += 7) {
        if (*position >= size) return -1;
        uint8_t byte = data[(*position)++];
        if (i == 9 && byte > 1) return -1; /* more than 64 bits */
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *value = (int64_t)(result >> 1) ^ -(int64_t)(result & 1);
            return 0;
        }
    }
    return -1;
}

static void *zlib_allocate(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    return floe_calloc(items, size);
}

/* inflate needs no zeroed memory (zlib's own default allocator is plain malloc), and zeroing
 * its 40 KiB of state and window for every block was an eighth of reading a small manifest. */
static void *zlib_allocate_for_inflate(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size) return NULL;
    return floe_malloc((size_t)items * size);
}

static void zlib_release(void *opaque, void *pointer)
{
    (void)opaque;
    floe_free(pointer);
}

int floe_avro_container_open(floe_avro_container *container, const uint8_t *data, size_t size,
                             floe_error *err)
{
    memset(container, 0, sizeof *container);
    container->max_block_size = AVRO_DEFAULT_MAX_BLOCK;
    FLOE_RETURN_IF(data == NULL || size < 4 || memcmp(data, avro_magic, 4) != 0, FLOE_ECORRUPT,
                   err, "not an Avro object container file (no \"Obj\\x01\" magic)");
    size_t position = 4;
    size_t capacity = 0;
    int status = FLOE_OK;
    for (;;) {
        int64_t count;
        if (read_long(data, size, &position, &count) != 0) {
            status = floe_error_set(err, FLOE_ECORRUPT, "offset %zu: truncated header metadata",
                                    position);
            goto fail;
        }
        if (count == 0) break;
        if (count < 0) {
            int64_t block_bytes;
            if (count == INT64_MIN || read_long(data, size, &position, &block_bytes) != 0 ||
                block_bytes < 0) {
                status = floe_error_set(err, FLOE_ECORRUPT, "offset %zu: bad metadata block size",
                                        position);
                goto fail;
            }
            count = -count;
        }
        /* Each entry takes at least two bytes, so a count beyond the bytes left is a lie. */
        if (count > (int64_t)(size - position) / 2 ||
            container->metadata_count + (size_t)count > AVRO_MAX_METADATA) {
            status = floe_error_set(err, FLOE_ECORRUPT,
                                    "offset %zu: metadata map claims %lld entries", position,
                                    (long long)count);
            goto fail;
        }
        if (container->metadata_count + (size_t)count > capacity) {
            size_t new_capacity = container->metadata_count + (size_t)count;
            floe_avro_metadata *grown =
                floe_realloc(container->metadata, new_capacity * sizeof *grown);
            if (grown == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "out of memory reading Avro header");
                goto fail;
            }
            container->metadata = grown;
            capacity = new_capacity;
        }
        for (int64_t i = 0; i < count; i++) {
            int64_t key_size, value_size;
            floe_avro_metadata *entry = &container->metadata[container->metadata_count];
            if (read_long(data, size, &position, &key_size) != 0 || key_size < 0 ||
                (uint64_t)key_size > size - position) {
                status = floe_error_set(err, FLOE_ECORRUPT, "offset %zu: bad metadata key",
                                        position);
                goto fail;
            }
            entry->key = (const char *)data + position;
            entry->key_size = (size_t)key_size;
            position += (size_t)key_size;
            if (read_long(data, size, &position, &value_size) != 0 || value_size < 0 ||
                (uint64_t)value_size > size - position) {
                status = floe_error_set(err, FLOE_ECORRUPT, "offset %zu: bad metadata value",
                                        position);
                goto fail;
            }
            entry->value = data + position;
            entry->value_size = (size_t)value_size;
            position += (size_t)value_size;
            container->metadata_count++;
        }
    }
    if (size - position < FLOE_AVRO_SYNC_SIZE) {
        status = floe_error_set(err, FLOE_ECORRUPT, "offset %zu: truncated sync marker", position);
        goto fail;
    }
    memcpy(container->sync, data + position, FLOE_AVRO_SYNC_SIZE);
    position += FLOE_AVRO_SYNC_SIZE;
    container->data = data;
    container->size = size;
    container->position = position;

    size_t codec_size = 0;
    const uint8_t *codec = floe_avro_container_metadata(container, "avro.codec", &codec_size);
    if (codec == NULL || (codec_size == 4 && memcmp(codec, "null", 4) == 0)) {
        container->codec = FLOE_AVRO_CODEC_NULL;
    } else if (codec_size == 7 && memcmp(codec, "deflate", 7) == 0) {
        container->codec = FLOE_AVRO_CODEC_DEFLATE;
    } else {
        status = floe_error_set(err, FLOE_EUNSUPPORTED, "Avro codec '%.*s' is not supported",
                                (int)(codec_size > 32 ? 32 : codec_size), (const char *)codec);
        goto fail;
    }
    return FLOE_OK;
fail:
    floe_free(container->metadata);
    memset(container, 0, sizeof *container);
    return status;
}

void floe_avro_container_fini(floe_avro_container *container)
{
    if (container == NULL) return;
    floe_free(container->metadata);
    floe_free(container->inflated);
    memset(container, 0, sizeof *container);
}

const uint8_t *floe_avro_container_metadata(const floe_avro_container *container, const char *key,
                                            size_t *value_size)
{
    size_t key_size = strlen(key);
    for (size_t i = 0; i < container->metadata_count; i++) {
        const floe_avro_metadata *entry = &container->metadata[i];
        if (entry->key_size == key_size && memcmp(entry->key, key, key_size) == 0) {
            if (value_size) *value_size = entry->value_size;
            return entry->value;
        }
    }
    if (value_size) *value_size = 0;
    return NULL;
}

/* Inflates a raw deflate stream into container->inflated, growing it up to max_block_size. */
static int inflate_block(floe_avro_container *container, const uint8_t *input, size_t input_size,
                         size_t *output_size, floe_error *err)
{
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    stream.zalloc = zlib_allocate_for_inflate;
    stream.zfree = zlib_release;
    if (inflateInit2(&stream, -15) != Z_OK)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory starting inflate");
    int status = FLOE_OK;
    size_t produced = 0;
    stream.next_in = (Bytef *)(uintptr_t)input;
    stream.avail_in = (uInt)input_size;
    for (;;) {
        if (produced == container->inflated_capacity) {
            if (container->inflated_capacity >= container->max_block_size) {
                status = floe_error_set(err, FLOE_ECORRUPT,
                                        "deflate block inflates past %zu bytes",
                                        container->max_block_size);
                break;
            }
            size_t grown_capacity = container->inflated_capacity ? container->inflated_capacity * 2
                                                                 : input_size * 4 + 1024;
            if (grown_capacity > container->max_block_size)
                grown_capacity = container->max_block_size;
            uint8_t *grown = floe_realloc(container->inflated, grown_capacity);
            if (grown == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "out of memory inflating a block");
                break;
            }
            container->inflated = grown;
            container->inflated_capacity = grown_capacity;
        }
        stream.next_out = container->inflated + produced;
        stream.avail_out = (uInt)(container->inflated_capacity - produced);
        int rc = inflate(&stream, Z_NO_FLUSH);
        produced = container->inflated_capacity - stream.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc == Z_MEM_ERROR) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory inflating a block");
            break;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && stream.avail_out == 0)) {
            status = floe_error_set(err, FLOE_ECORRUPT, "bad deflate data (%s)",
                                    stream.msg ? stream.msg : "truncated");
            break;
        }
    }
    inflateEnd(&stream);
    *output_size = produced;
    return status;
}

int floe_avro_container_next_block(floe_avro_container *container, const uint8_t **records,
                                   size_t *records_size, int64_t *object_count, floe_error *err)
{
    const uint8_t *data = container->data;
    size_t size = container->size;
    size_t position = container->position;
    if (position == size) return 0;
    size_t block_start = position;
    int64_t count, byte_size;
    FLOE_RETURN_IF(read_long(data, size, &position, &count) != 0 || count < 0, FLOE_ECORRUPT, err,
                   "offset %zu: bad block object count", block_start);
    FLOE_RETURN_IF(read_long(data, size, &position, &byte_size) != 0 || byte_size < 0 ||
                       (uint64_t)byte_size > size - position ||
                       size - position - (size_t)byte_size < FLOE_AVRO_SYNC_SIZE,
                   FLOE_ECORRUPT, err, "offset %zu: block size %lld runs past the end of the file",
                   block_start, (long long)byte_size);
    const uint8_t *payload = data + position;
    position += (size_t)byte_size;
    FLOE_RETURN_IF(memcmp(data + position, container->sync, FLOE_AVRO_SYNC_SIZE) != 0,
                   FLOE_ECORRUPT, err, "offset %zu: sync marker mismatch", position);
    position += FLOE_AVRO_SYNC_SIZE;
    container->position = position;
    if (container->codec == FLOE_AVRO_CODEC_DEFLATE) {
        size_t inflated_size = 0;
        int status = inflate_block(container, payload, (size_t)byte_size, &inflated_size, err);
        if (status < 0) return floe_error_prefix(err, "offset %zu", block_start);
        *records = container->inflated;
        *records_size = inflated_size;
    } else {
        *records = payload;
        *records_size = (size_t)byte_size;
    }
    /* Every Avro datum of a record schema takes at least... zero bytes (an empty record), so the
     * count is checked against the decoded bytes only by the caller's per-record walk; here it
     * only has to be sane. */
    FLOE_RETURN_IF(count > (int64_t)*records_size + 1024, FLOE_ECORRUPT, err,
                   "offset %zu: block claims %lld objects in %zu bytes", block_start,
                   (long long)count, *records_size);
    *object_count = count;
    return 1;
}

/* ---- the schema text ---- */

typedef struct schema_names {
    const char *names[256];
    size_t count;
} schema_names;

static int is_primitive(const char *name)
{
    static const char *const primitives[] = {"null", "boolean", "int", "long",
                                             "float", "double", "bytes", "string"};
    for (size_t i = 0; i < sizeof primitives / sizeof primitives[0]; i++)
        if (strcmp(name, primitives[i]) == 0) return 1;
    return 0;
}

static int name_known(const schema_names *names, const char *name)
{
    for (size_t i = 0; i < names->count; i++)
        if (strcmp(names->names[i], name) == 0) return 1;
    return 0;
}

static int json_type_check(json_t *type, schema_names *names, int depth, floe_error *err)
{
    FLOE_RETURN_IF(depth > AVRO_MAX_DEPTH, FLOE_ECORRUPT, err, "avro.schema nests too deep");
    if (json_is_string(type)) {
        const char *name = json_string_value(type);
        FLOE_RETURN_IF(!is_primitive(name) && !name_known(names, name), FLOE_ECORRUPT, err,
                       "avro.schema refers to unknown type '%.64s'", name);
        return FLOE_OK;
    }
    if (json_is_array(type)) {
        size_t i;
        json_t *branch;
        FLOE_RETURN_IF(json_array_size(type) == 0, FLOE_ECORRUPT, err,
                       "avro.schema has an empty union");
        json_array_foreach(type, i, branch) {
            FLOE_RETURN_IF(json_is_array(branch), FLOE_ECORRUPT, err,
                           "avro.schema nests a union in a union");
            FLOE_TRY(json_type_check(branch, names, depth + 1, err));
        }
        return FLOE_OK;
    }
    FLOE_RETURN_IF(!json_is_object(type), FLOE_ECORRUPT, err, "avro.schema: a type is not valid");
    const char *kind = json_string_value(json_object_get(type, "type"));
    FLOE_RETURN_IF(kind == NULL, FLOE_ECORRUPT, err, "avro.schema: a type has no \"type\"");
    int named = strcmp(kind, "record") == 0 || strcmp(kind, "error") == 0 ||
                strcmp(kind, "enum") == 0 || strcmp(kind, "fixed") == 0;
    if (named) {
        const char *name = json_string_value(json_object_get(type, "name"));
        FLOE_RETURN_IF(name == NULL || name[0] == '\0' || is_primitive(name), FLOE_ECORRUPT,
                       err, "avro.schema: a %s has no valid name", kind);
        /* Avro C leaks when a name is defined twice; refuse that before it parses. */
        FLOE_RETURN_IF(name_known(names, name), FLOE_ECORRUPT, err,
                       "avro.schema defines '%.64s' twice", name);
        FLOE_RETURN_IF(names->count == sizeof names->names / sizeof names->names[0],
                       FLOE_ECORRUPT, err, "avro.schema defines too many named types");
        names->names[names->count++] = name;
    }
    if (strcmp(kind, "record") == 0 || strcmp(kind, "error") == 0) {
        json_t *fields = json_object_get(type, "fields");
        FLOE_RETURN_IF(!json_is_array(fields), FLOE_ECORRUPT, err,
                       "avro.schema: a record has no fields array");
        size_t i, j;
        json_t *field, *other;
        json_array_foreach(fields, i, field) {
            const char *name = json_string_value(json_object_get(field, "name"));
            FLOE_RETURN_IF(name == NULL, FLOE_ECORRUPT, err, "avro.schema: a field has no name");
            json_array_foreach(fields, j, other) {
                if (j >= i) break;
                FLOE_RETURN_IF(strcmp(json_string_value(json_object_get(other, "name")), name) == 0,
                               FLOE_ECORRUPT, err, "avro.schema: field '%.64s' appears twice",
                               name);
            }
            json_t *field_type = json_object_get(field, "type");
            FLOE_RETURN_IF(field_type == NULL, FLOE_ECORRUPT, err,
                           "avro.schema: field '%.64s' has no type", name);
            FLOE_TRY(json_type_check(field_type, names, depth + 1, err));
        }
        return FLOE_OK;
    }
    if (strcmp(kind, "enum") == 0) {
        json_t *symbols = json_object_get(type, "symbols");
        size_t i;
        json_t *symbol;
        FLOE_RETURN_IF(!json_is_array(symbols) || json_array_size(symbols) == 0, FLOE_ECORRUPT,
                       err, "avro.schema: an enum has no symbols");
        json_array_foreach(symbols, i, symbol)
            FLOE_RETURN_IF(!json_is_string(symbol), FLOE_ECORRUPT, err,
                           "avro.schema: an enum symbol is not a string");
        return FLOE_OK;
    }
    if (strcmp(kind, "fixed") == 0) {
        json_t *size = json_object_get(type, "size");
        FLOE_RETURN_IF(!json_is_integer(size) || json_integer_value(size) < 0 ||
                           json_integer_value(size) > INT32_MAX,
                       FLOE_ECORRUPT, err, "avro.schema: a fixed has no valid size");
        return FLOE_OK;
    }
    if (strcmp(kind, "array") == 0) {
        json_t *items = json_object_get(type, "items");
        FLOE_RETURN_IF(items == NULL, FLOE_ECORRUPT, err, "avro.schema: an array has no items");
        return json_type_check(items, names, depth + 1, err);
    }
    if (strcmp(kind, "map") == 0) {
        json_t *values = json_object_get(type, "values");
        FLOE_RETURN_IF(values == NULL, FLOE_ECORRUPT, err, "avro.schema: a map has no values");
        return json_type_check(values, names, depth + 1, err);
    }
    FLOE_RETURN_IF(!is_primitive(kind), FLOE_ECORRUPT, err,
                   "avro.schema: unknown type '%.64s'", kind);
    return FLOE_OK;
}

int floe_avro_schema_text_check(const char *text, size_t size, floe_error *err)
{
    json_error_t json_error;
    json_t *root = json_loadb(text, size, JSON_DECODE_ANY, &json_error);
    FLOE_RETURN_IF(root == NULL, FLOE_ECORRUPT, err, "avro.schema is not JSON: %s",
                   json_error.text);
    schema_names names = {{0}, 0};
    int status = json_type_check(root, &names, 0, err);
    json_decref(root);
    return status;
}

/* ---- the datum walk ---- */

static int schema_check_depth(avro_schema_t schema, int depth, floe_error *err)
{
    FLOE_RETURN_IF(depth > AVRO_MAX_DEPTH, FLOE_EUNSUPPORTED, err,
                   "Avro schema nests deeper than %d", AVRO_MAX_DEPTH);
    switch (avro_typeof(schema)) {
    case AVRO_RECORD:
        for (size_t i = 0; i < avro_schema_record_size(schema); i++)
            FLOE_TRY(schema_check_depth(avro_schema_record_field_get_by_index(schema, (int)i),
                                        depth + 1, err));
        return FLOE_OK;
    case AVRO_ARRAY:
        return schema_check_depth(avro_schema_array_items(schema), depth + 1, err);
    case AVRO_MAP:
        return schema_check_depth(avro_schema_map_values(schema), depth + 1, err);
    case AVRO_UNION:
        for (size_t i = 0; i < avro_schema_union_size(schema); i++)
            FLOE_TRY(schema_check_depth(avro_schema_union_branch(schema, (int)i), depth + 1, err));
        return FLOE_OK;
    case AVRO_LINK: {
        avro_schema_t target = avro_schema_link_target(schema);
        FLOE_RETURN_IF(target == NULL || (avro_typeof(target) != AVRO_FIXED &&
                                          avro_typeof(target) != AVRO_ENUM),
                       FLOE_EUNSUPPORTED, err,
                       "Avro schema refers to a named record type again (recursion is not "
                       "supported)");
        return FLOE_OK;
    }
    default:
        return FLOE_OK;
    }
}

int floe_avro_schema_check(avro_schema_t schema, floe_error *err)
{
    return schema_check_depth(schema, 0, err);
}

typedef struct datum_walk {
    const uint8_t *data;
    size_t size;
    size_t position;
    floe_error *err;
} datum_walk;

static int walk_fail(datum_walk *walk, const char *what)
{
    return floe_error_set(walk->err, FLOE_ECORRUPT, "record byte %zu: %s", walk->position, what);
}

static int walk_long(datum_walk *walk, int64_t *value)
{
    if (read_long(walk->data, walk->size, &walk->position, value) != 0)
        return walk_fail(walk, "truncated or over-long varint");
    return FLOE_OK;
}

static int walk_skip(datum_walk *walk, int64_t count, const char *what)
{
    if (count < 0 || (uint64_t)count > walk->size - walk->position) return walk_fail(walk, what);
    walk->position += (size_t)count;
    return FLOE_OK;
}

static int walk_datum(datum_walk *walk, avro_schema_t schema, int depth)
{
    int64_t value;
    if (depth > AVRO_MAX_DEPTH) return walk_fail(walk, "nesting too deep");
    switch (avro_typeof(schema)) {
    case AVRO_NULL:
        return FLOE_OK;
    case AVRO_BOOLEAN:
        return walk_skip(walk, 1, "truncated boolean");
    case AVRO_INT32:
        FLOE_TRY(walk_long(walk, &value));
        if (value < INT32_MIN || value > INT32_MAX) return walk_fail(walk, "int out of range");
        return FLOE_OK;
    case AVRO_INT64:
        return walk_long(walk, &value);
    case AVRO_FLOAT:
        return walk_skip(walk, 4, "truncated float");
    case AVRO_DOUBLE:
        return walk_skip(walk, 8, "truncated double");
    case AVRO_STRING:
    case AVRO_BYTES:
        FLOE_TRY(walk_long(walk, &value));
        return walk_skip(walk, value, "string or bytes length runs past the record");
    case AVRO_FIXED:
        return walk_skip(walk, avro_schema_fixed_size(schema), "truncated fixed");
    case AVRO_ENUM:
        FLOE_TRY(walk_long(walk, &value));
        if (value < 0 || value >= avro_schema_enum_number_of_symbols(schema))
            return walk_fail(walk, "enum symbol out of range");
        return FLOE_OK;
    case AVRO_UNION:
        FLOE_TRY(walk_long(walk, &value));
        if (value < 0 || (uint64_t)value >= avro_schema_union_size(schema))
            return walk_fail(walk, "union branch out of range");
        return walk_datum(walk, avro_schema_union_branch(schema, (int)value), depth + 1);
    case AVRO_RECORD:
        for (size_t i = 0; i < avro_schema_record_size(schema); i++)
            FLOE_TRY(walk_datum(walk, avro_schema_record_field_get_by_index(schema, (int)i),
                                depth + 1));
        return FLOE_OK;
    case AVRO_ARRAY:
    case AVRO_MAP: {
        int is_map = avro_typeof(schema) == AVRO_MAP;
        avro_schema_t items =
            is_map ? avro_schema_map_values(schema) : avro_schema_array_items(schema);
        for (;;) {
            int64_t count;
            FLOE_TRY(walk_long(walk, &count));
            if (count == 0) return FLOE_OK;
            if (count < 0) {
                int64_t block_bytes;
                if (count == INT64_MIN) return walk_fail(walk, "bad array block count");
                FLOE_TRY(walk_long(walk, &block_bytes));
                if (block_bytes < 0) return walk_fail(walk, "negative array block size");
                count = -count;
            }
            /* Avro C allocates count items before reading them: insist every item costs a byte,
             * which bounds the allocation by the record's size (items of zero bytes, arrays of
             * null or of empty records, are refused). */
            if ((uint64_t)count > walk->size - walk->position)
                return walk_fail(walk, "array or map count exceeds the bytes left");
            for (int64_t i = 0; i < count; i++) {
                size_t before = walk->position;
                if (is_map) {
                    FLOE_TRY(walk_long(walk, &value));
                    FLOE_TRY(walk_skip(walk, value, "map key runs past the record"));
                }
                FLOE_TRY(walk_datum(walk, items, depth + 1));
                if (walk->position == before) return walk_fail(walk, "zero-byte array item");
            }
        }
    }
    case AVRO_LINK:
        return walk_datum(walk, avro_schema_link_target(schema), depth + 1);
    default:
        return walk_fail(walk, "unknown Avro type in schema");
    }
}

int floe_avro_datum_check(avro_schema_t schema, const uint8_t *data, size_t size,
                          size_t *datum_size, floe_error *err)
{
    datum_walk walk = {data, size, 0, err};
    FLOE_TRY(walk_datum(&walk, schema, 0));
    *datum_size = walk.position;
    return FLOE_OK;
}

/* ---- writing ---- */

static int buffer_reserve(uint8_t **buffer, size_t *capacity, size_t needed, floe_error *err)
{
    if (needed <= *capacity) return FLOE_OK;
    size_t new_capacity = *capacity ? *capacity : 4096;
    while (new_capacity < needed) new_capacity *= 2;
    uint8_t *grown = floe_realloc(*buffer, new_capacity);
    FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory writing an Avro file");
    *buffer = grown;
    *capacity = new_capacity;
    return FLOE_OK;
}

static int put_bytes(floe_avro_writer *writer, const void *bytes, size_t size, floe_error *err)
{
    FLOE_TRY(buffer_reserve(&writer->buffer, &writer->capacity, writer->size + size, err));
    if (size) memcpy(writer->buffer + writer->size, bytes, size);
    writer->size += size;
    return FLOE_OK;
}

static int put_long(floe_avro_writer *writer, int64_t value, floe_error *err)
{
    uint8_t encoded[10];
    size_t length = 0;
    uint64_t zigzag = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
    do {
        uint8_t byte = zigzag & 0x7f;
        zigzag >>= 7;
        encoded[length++] = zigzag ? (uint8_t)(byte | 0x80) : byte;
    } while (zigzag);
    return put_bytes(writer, encoded, length, err);
}

static int put_string(floe_avro_writer *writer, const void *bytes, size_t size, floe_error *err)
{
    FLOE_TRY(put_long(writer, (int64_t)size, err));
    return put_bytes(writer, bytes, size, err);
}

static void random_sync(uint8_t sync[FLOE_AVRO_SYNC_SIZE])
{
    ssize_t got = getrandom(sync, FLOE_AVRO_SYNC_SIZE, GRND_NONBLOCK);
    if (got == FLOE_AVRO_SYNC_SIZE) return;
    /* No entropy yet (early boot): the marker only has to be unlikely inside the data. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t state = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^ (uint64_t)getpid();
    for (int i = 0; i < FLOE_AVRO_SYNC_SIZE; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        sync[i] = (uint8_t)(state >> 56);
    }
}

int floe_avro_writer_init(floe_avro_writer *writer, const char *schema_json, floe_avro_codec codec,
                          const floe_avro_metadata *extra, size_t extra_count, floe_error *err)
{
    memset(writer, 0, sizeof *writer);
    writer->codec = codec;
    random_sync(writer->sync);
    const char *codec_name = codec == FLOE_AVRO_CODEC_DEFLATE ? "deflate" : "null";
    int status = put_bytes(writer, avro_magic, sizeof avro_magic, err);
    if (status == FLOE_OK) status = put_long(writer, (int64_t)(2 + extra_count), err);
    if (status == FLOE_OK) status = put_string(writer, "avro.schema", 11, err);
    if (status == FLOE_OK) status = put_string(writer, schema_json, strlen(schema_json), err);
    if (status == FLOE_OK) status = put_string(writer, "avro.codec", 10, err);
    if (status == FLOE_OK) status = put_string(writer, codec_name, strlen(codec_name), err);
    for (size_t i = 0; status == FLOE_OK && i < extra_count; i++) {
        status = put_string(writer, extra[i].key, extra[i].key_size, err);
        if (status == FLOE_OK)
            status = put_string(writer, extra[i].value, extra[i].value_size, err);
    }
    if (status == FLOE_OK) status = put_long(writer, 0, err);
    if (status == FLOE_OK) status = put_bytes(writer, writer->sync, FLOE_AVRO_SYNC_SIZE, err);
    if (status < 0) floe_avro_writer_fini(writer);
    return status;
}

static int flush_block(floe_avro_writer *writer, floe_error *err)
{
    if (writer->block_count == 0) return FLOE_OK;
    const uint8_t *payload = writer->block;
    size_t payload_size = writer->block_size;
    uint8_t *compressed = NULL;
    if (writer->codec == FLOE_AVRO_CODEC_DEFLATE) {
        z_stream stream;
        memset(&stream, 0, sizeof stream);
        stream.zalloc = zlib_allocate;
        stream.zfree = zlib_release;
        FLOE_RETURN_IF(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                                    Z_DEFAULT_STRATEGY) != Z_OK,
                       FLOE_ENOMEM, err, "out of memory starting deflate");
        size_t bound = deflateBound(&stream, (uLong)payload_size);
        compressed = floe_malloc(bound);
        if (compressed == NULL) {
            deflateEnd(&stream);
            return floe_error_set(err, FLOE_ENOMEM, "out of memory compressing a block");
        }
        stream.next_in = (Bytef *)(uintptr_t)payload;
        stream.avail_in = (uInt)payload_size;
        stream.next_out = compressed;
        stream.avail_out = (uInt)bound;
        int rc = deflate(&stream, Z_FINISH);
        payload_size = bound - stream.avail_out;
        deflateEnd(&stream);
        if (rc != Z_STREAM_END) {
            floe_free(compressed);
            return floe_error_set(err, rc == Z_MEM_ERROR ? FLOE_ENOMEM : FLOE_EINVAL,
                                  "deflate failed (%d)", rc);
        }
        payload = compressed;
    }
    int status = put_long(writer, writer->block_count, err);
    if (status == FLOE_OK) status = put_long(writer, (int64_t)payload_size, err);
    if (status == FLOE_OK) status = put_bytes(writer, payload, payload_size, err);
    if (status == FLOE_OK) status = put_bytes(writer, writer->sync, FLOE_AVRO_SYNC_SIZE, err);
    floe_free(compressed);
    writer->block_size = 0;
    writer->block_count = 0;
    return status;
}

int floe_avro_writer_append(floe_avro_writer *writer, const void *record, size_t record_size,
                            floe_error *err)
{
    FLOE_TRY(buffer_reserve(&writer->block, &writer->block_capacity,
                            writer->block_size + record_size, err));
    if (record_size) memcpy(writer->block + writer->block_size, record, record_size);
    writer->block_size += record_size;
    writer->block_count++;
    if (writer->block_size >= AVRO_TARGET_BLOCK) return flush_block(writer, err);
    return FLOE_OK;
}

int floe_avro_writer_finish(floe_avro_writer *writer, uint8_t **bytes, size_t *size,
                            floe_error *err)
{
    FLOE_TRY(flush_block(writer, err));
    *bytes = writer->buffer;
    *size = writer->size;
    writer->buffer = NULL;
    floe_avro_writer_fini(writer);
    return FLOE_OK;
}

void floe_avro_writer_fini(floe_avro_writer *writer)
{
    if (writer == NULL) return;
    floe_free(writer->buffer);
    floe_free(writer->block);
    memset(writer, 0, sizeof *writer);
}
