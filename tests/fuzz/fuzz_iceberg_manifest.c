/*
 * Description: libFuzzer harness for Iceberg manifest and manifest list reading from memory
 * (Avro container framing, header, record walk, Avro C decoding, field lookup). Every input
 * goes through both readers, so one corpus exercises both.
 */
#include "io/iceberg_manifest.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_error err;
    floe_ice_manifest *manifest = NULL;
    if (floe_ice_manifest_read_memory(data, size, "fuzz", &manifest, &err) == 0) {
        /* Touch what a caller would: inheritance over every entry. */
        floe_ice_manifest_file list_entry = {0};
        list_entry.manifest_path = "fuzz";
        floe_ice_manifest_inherit(manifest, &list_entry, &err);
    }
    floe_ice_manifest_free(manifest);
    floe_ice_manifest_list *list = NULL;
    floe_ice_manifest_list_read_memory(data, size, "fuzz", &list, &err);
    floe_ice_manifest_list_free(list);
    return 0;
}
