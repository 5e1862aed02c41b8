/*
 * Description: libFuzzer harness for Iceberg table metadata JSON (io/iceberg_metadata.h).
 * Every input is parsed; what parses is written back as v2 JSON, which must parse again (a
 * writer that emits what its own reader refuses is a bug, so that aborts), and the lookups a
 * caller would use are walked (current schema and snapshot, every field's Floe type, the
 * ancestry of every snapshot).
 */
#include "io/iceberg_metadata.h"
#include "kernels/memory.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_error err;
    floe_ice_table_metadata *metadata = NULL;
    if (floe_ice_table_metadata_parse((const char *)data, size, "fuzz", &metadata, &err) != 0)
        return 0;
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    if (schema == NULL) abort(); /* the reader promises a current schema */
    for (size_t i = 0; i < schema->field_count; i++) {
        floe_type type;
        floe_ice_field_floe_type(&schema->fields[i], &type, &err);
        floe_ice_field_by_name(schema, schema->fields[i].name);
    }
    if (metadata->current_snapshot_id != -1 && floe_ice_current_snapshot(metadata) == NULL)
        abort();
    for (size_t i = 0; i < metadata->snapshot_count; i++)
        floe_ice_snapshot_is_ancestor(metadata, metadata->snapshots[0].snapshot_id,
                                      metadata->snapshots[i].snapshot_id);
    floe_ice_name_mapping_lookup(metadata, "id");

    char *json = NULL;
    size_t json_size = 0;
    int status = floe_ice_table_metadata_write_json(metadata, &json, &json_size, &err);
    if (status == 0) {
        floe_ice_table_metadata *again = NULL;
        if (floe_ice_table_metadata_parse(json, json_size, "rewritten", &again, &err) != 0)
            abort();
        if (again->snapshot_count != metadata->snapshot_count ||
            again->current_snapshot_id != metadata->current_snapshot_id)
            abort();
        floe_ice_table_metadata_free(again);
    } else if (status != FLOE_EUNSUPPORTED && status != FLOE_EINVAL) {
        abort();
    }
    floe_free(json);
    floe_ice_table_metadata_free(metadata);
    return 0;
}
