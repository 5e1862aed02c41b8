/*
 * types.h — the SQL value types every layer shares, and how a vector stores each of them.
 *
 * A floe_type is a small value (id plus decimal precision and scale), passed by value.
 * Storage per value in a vector's data array (floe_type_width):
 *
 *   BOOLEAN                      1 byte, 0 or 1 (a byte, not a bit: filters and SIMD want bytes)
 *   INT32, DATE (days), FLOAT32  4 bytes
 *   INT64, FLOAT64,              8 bytes
 *   TIMESTAMP, TIMESTAMPTZ       8 bytes, microseconds since 1970-01-01 00:00:00 (UTC for TZ)
 *   DECIMAL(p,s), p <= 18        8 bytes, the unscaled integer
 *   DECIMAL(p,s), 18 < p <= 38  16 bytes, the unscaled integer as floe_int128
 *   STRING, BINARY               8 bytes, a floe_string_ref into the vector's heap
 */
#ifndef FLOE_KERNELS_TYPES_H
#define FLOE_KERNELS_TYPES_H

#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 floe_int128;
__extension__ typedef unsigned __int128 floe_uint128;

typedef enum floe_type_id {
    FLOE_TYPE_INVALID = 0,
    FLOE_TYPE_BOOLEAN,
    FLOE_TYPE_INT32,
    FLOE_TYPE_INT64,
    FLOE_TYPE_FLOAT32,
    FLOE_TYPE_FLOAT64,
    FLOE_TYPE_DECIMAL,
    FLOE_TYPE_DATE,
    FLOE_TYPE_TIMESTAMP,
    FLOE_TYPE_TIMESTAMPTZ,
    FLOE_TYPE_STRING,
    FLOE_TYPE_BINARY,
} floe_type_id;

enum { FLOE_DECIMAL_MAX_PRECISION = 38, FLOE_DECIMAL64_MAX_PRECISION = 18 };

typedef struct floe_type {
    uint8_t id;        /* a floe_type_id */
    uint8_t precision; /* DECIMAL only: 1..38 */
    uint8_t scale;     /* DECIMAL only: 0..precision */
} floe_type;

static inline floe_type floe_type_make(floe_type_id id)
{
    return (floe_type){(uint8_t)id, 0, 0};
}

static inline floe_type floe_type_decimal(unsigned precision, unsigned scale)
{
    return (floe_type){FLOE_TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale};
}

/* Bytes one value takes in a vector's data array; 0 for FLOE_TYPE_INVALID. */
size_t floe_type_width(floe_type type);

/* Non-zero when the type's values are (offset, length) references to bytes. */
static inline int floe_type_is_variable_width(floe_type type)
{
    return type.id == FLOE_TYPE_STRING || type.id == FLOE_TYPE_BINARY;
}

/* Non-zero when the description is valid (known id, decimal precision and scale in range). */
int floe_type_is_valid(floe_type type);

/* Writes the SQL name ("BIGINT", "DECIMAL(12,2)") into buffer; returns buffer. */
const char *floe_type_format(floe_type type, char *buffer, size_t buffer_size);

/* Two types are the same when id and, for decimals, precision and scale agree. */
int floe_type_equal(floe_type left, floe_type right);

#endif
