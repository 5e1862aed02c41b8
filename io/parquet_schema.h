/*
 * parquet_schema.h — from Parquet's flattened SchemaElement list to Floe leaf columns.
 *
 * floe_pq_schema_map walks metadata->schema (a depth-first list whose groups give their child
 * counts) and fills metadata->columns: one floe_pq_column per leaf, in the order of the column
 * chunks. It is called by floe_pq_file_metadata_parse_footer; the result lives in the metadata's
 * arena.
 *
 * Floe reads flat schemas: a root group whose children are primitive, REQUIRED (max definition
 * level 0) or OPTIONAL (1). A leaf under a repeated field or under a group below the root is
 * still listed (so chunk indexes line up) but marked unsupported with the reason
 * "unsupported nested column <dotted.path>"; opening the file still succeeds.
 *
 * Type mapping (annotation = the LogicalType when it is one this reader knows, else the legacy
 * ConvertedType; an annotation that does not fit the physical type is ignored):
 *
 *   BOOLEAN                                   → BOOLEAN
 *   INT32 (plain, INT(8|16|32, signed), INT_8/16/32, UINT_8/16, INT(8|16, unsigned)) → INT32
 *   INT32 UINT_32 / INT(32, unsigned)         → INT64, zero-extended
 *   INT64 (plain, INT(64, signed), INT_64, unsigned of 32 bits or less) → INT64
 *   INT64 UINT_64 / INT(64, unsigned)         → DECIMAL(20,0), zero-extended
 *   FLOAT → FLOAT32; DOUBLE → FLOAT64; FIXED_LEN_BYTE_ARRAY(2) FLOAT16 → FLOAT32 (converted)
 *   INT32 DATE                                → DATE
 *   TIME(millis on INT32 | micros | nanos on INT64), TIME_MILLIS/TIME_MICROS
 *       → INT64 microseconds since midnight: Floe has no TIME type (DESIGN.md's type list), so
 *         a time of day is read as a plain number of microseconds (millis ×1000, nanos ÷1000)
 *   TIMESTAMP(unit, isAdjustedToUTC) on INT64 → TIMESTAMPTZ when adjusted, else TIMESTAMP,
 *       microseconds (millis ×1000, nanos ÷1000 rounding down)
 *   TIMESTAMP_MILLIS / TIMESTAMP_MICROS (legacy, UTC-adjusted by definition) → TIMESTAMPTZ
 *   INT96                                     → TIMESTAMP (legacy Impala/Spark: nanoseconds of
 *       day + Julian day, see FLOE_PQ_CONVERT_INT96_TIMESTAMP)
 *   DECIMAL(p,s) on INT32/INT64 (sign-extended) and on FIXED_LEN_BYTE_ARRAY/BYTE_ARRAY
 *       (big-endian two's complement) → DECIMAL(p,s); precision outside 1..38 or scale outside
 *       0..p marks the column unsupported
 *   BYTE_ARRAY STRING/UTF8/ENUM/JSON          → STRING; any other BYTE_ARRAY → BINARY
 *   FIXED_LEN_BYTE_ARRAY (UUID, INTERVAL, none…) → BINARY
 *
 * Errors: FLOE_ECORRUPT when the tree does not add up (child counts running past the list or
 * leaving elements over, a leaf without a type, FIXED_LEN_BYTE_ARRAY without a positive length),
 * FLOE_EUNSUPPORTED for schemas nested deeper than FLOE_PQ_MAX_SCHEMA_DEPTH, FLOE_ENOMEM.
 */
#ifndef FLOE_IO_PARQUET_SCHEMA_H
#define FLOE_IO_PARQUET_SCHEMA_H

#include "io/parquet_footer.h"

enum { FLOE_PQ_MAX_SCHEMA_DEPTH = 64 };

int floe_pq_schema_map(floe_pq_file_metadata *metadata, floe_error *err);

#endif
