/*
 * types.c — type widths, validity and names (contract in types.h).
 */
#include "types.h"

#include <stdio.h>

size_t floe_type_width(floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: return 1;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_DATE: return 4;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_FLOAT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: return 8;
    case FLOE_TYPE_DECIMAL: return type.precision <= FLOE_DECIMAL64_MAX_PRECISION ? 8 : 16;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: return 8;
    case FLOE_TYPE_INVALID: break;
    }
    return 0;
}

int floe_type_is_valid(floe_type type)
{
    if (type.id == FLOE_TYPE_DECIMAL) {
        return type.precision >= 1 && type.precision <= FLOE_DECIMAL_MAX_PRECISION &&
               type.scale <= type.precision;
    }
    return type.id > FLOE_TYPE_INVALID && type.id <= FLOE_TYPE_BINARY;
}

int floe_type_equal(floe_type left, floe_type right)
{
    if (left.id != right.id) return 0;
    if (left.id != FLOE_TYPE_DECIMAL) return 1;
    return left.precision == right.precision && left.scale == right.scale;
}

const char *floe_type_format(floe_type type, char *buffer, size_t buffer_size)
{
    const char *name = "INVALID";
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: name = "BOOLEAN"; break;
    case FLOE_TYPE_INT32: name = "INTEGER"; break;
    case FLOE_TYPE_INT64: name = "BIGINT"; break;
    case FLOE_TYPE_FLOAT32: name = "REAL"; break;
    case FLOE_TYPE_FLOAT64: name = "DOUBLE"; break;
    case FLOE_TYPE_DATE: name = "DATE"; break;
    case FLOE_TYPE_TIMESTAMP: name = "TIMESTAMP"; break;
    case FLOE_TYPE_TIMESTAMPTZ: name = "TIMESTAMPTZ"; break;
    case FLOE_TYPE_STRING: name = "VARCHAR"; break;
    case FLOE_TYPE_BINARY: name = "BLOB"; break;
    case FLOE_TYPE_DECIMAL:
        snprintf(buffer, buffer_size, "DECIMAL(%u,%u)", type.precision, type.scale);
        return buffer;
    case FLOE_TYPE_INVALID: break;
    }
    snprintf(buffer, buffer_size, "%s", name);
    return buffer;
}
