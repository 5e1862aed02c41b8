/*
 * Description: libFuzzer harness for the state manifest reader (engine/state_store.h). What
 * parses is copied and listed; the copy must list the same files (a reader that accepts what its
 * own copy loses is a bug, so that aborts).
 */
#include "engine/state_store.h"
#include "kernels/memory.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_eng_state_manifest manifest, copy;
    if (floe_eng_state_manifest_parse((const char *)data, size, "fuzz", &manifest, NULL) != 0) {
        floe_eng_state_manifest_fini(&manifest);
        return 0;
    }
    if (floe_eng_state_manifest_copy(&manifest, &copy, NULL) == 0) {
        const char **original_paths = NULL, **copied_paths = NULL;
        size_t original_count = 0, copied_count = 0;
        if (floe_eng_state_manifest_paths(&manifest, &original_paths, &original_count, NULL) == 0 &&
            floe_eng_state_manifest_paths(&copy, &copied_paths, &copied_count, NULL) == 0) {
            if (original_count != copied_count)
                abort();
            for (size_t i = 0; i < original_count; i++)
                if (strcmp(original_paths[i], copied_paths[i]) != 0)
                    abort();
        }
        floe_free(original_paths);
        floe_free(copied_paths);
        floe_eng_state_manifest_fini(&copy);
    }
    floe_eng_state_manifest_fini(&manifest);
    return 0;
}
