/* op_values.c — placeholder until the operator lands (engine/operator.h). */
#include "engine/operator.h"

int floe_eng_values_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                         floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                         floe_eng_operator **out, floe_error *err)
{
    (void)context;
    (void)partition;
    (void)partition_count;
    for (uint32_t i = 0; i < node->input_count; i++)
        floe_eng_operator_destroy(inputs[i]);
    *out = NULL;
    return floe_error_set(err, FLOE_EUNSUPPORTED, "operator values is not built yet");
}
