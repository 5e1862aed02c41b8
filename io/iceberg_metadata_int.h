/*
 * iceberg_metadata_int.h — helpers shared by the Iceberg metadata reader, builder and writer
 * (io/iceberg_metadata*.c). Not part of the module's contract: see iceberg_metadata.h.
 */
#ifndef FLOE_IO_ICEBERG_METADATA_INT_H
#define FLOE_IO_ICEBERG_METADATA_INT_H

#include "io/iceberg_metadata.h"

/* Routes jansson's allocations through floe_malloc/floe_free (once per process). */
void floe_ice_json_use_floe_allocator(void);

/* Non-zero when a jansson allocation failed (on this thread) since the last call; clears it. */
int floe_ice_json_take_allocation_failure(void);

/* A new, empty metadata object with its arena initialised; NULL when out of memory. */
floe_ice_table_metadata *floe_ice_table_metadata_new(void);

/* Copies a NUL-terminated string into the metadata's arena; NULL for NULL or out of memory
 * (callers tell the two apart by their input). */
char *floe_ice_arena_strdup(floe_arena *arena, const char *text);

/* Parses an Iceberg type string ("long", "decimal(9, 2)", "fixed[16]"); fills kind,
 * precision, scale and length of `field`. Returns 0, or -1 when the text is no type. */
int floe_ice_parse_primitive_type(const char *text, floe_ice_field *field);

/* Parses a transform string ("bucket[16]") into kind and parameter; unknown names give
 * FLOE_ICE_TRANSFORM_UNKNOWN. Returns -1 for a known name with a bad parameter. */
int floe_ice_parse_transform(const char *text, floe_ice_transform_kind *kind,
                             int32_t *parameter);

/* Parses a schema.name-mapping.default value into metadata->name_mapping. */
int floe_ice_parse_name_mapping(floe_ice_table_metadata *metadata, const char *text,
                                floe_error *err);

#endif
