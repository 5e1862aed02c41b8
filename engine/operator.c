/* operator.c — the execution context and the generic operator calls (engine/operator.h). */
#include "engine/operator.h"

#include "kernels/memory.h"

#include <string.h>

void floe_eng_context_init(floe_eng_context *context, const char *warehouse)
{
    memset(context, 0, sizeof *context);
    context->warehouse = warehouse;
    context->thread_count = 1;
    atomic_init(&context->memory_used, 0);
    atomic_init(&context->memory_peak, 0);
    atomic_init(&context->files_read, 0);
    atomic_init(&context->files_pruned, 0);
    atomic_init(&context->rows_read, 0);
    atomic_init(&context->bytes_read, 0);
}

void floe_eng_context_fini(floe_eng_context *context)
{
    for (uint32_t i = 0; i < context->source_count; i++)
        floe_free(context->sources[i].identity);
    floe_free(context->sources);
    context->sources = NULL;
    context->source_count = context->source_capacity = 0;
    floe_free(context->scan_pins);
    context->scan_pins = NULL;
    context->scan_pin_count = context->scan_pin_capacity = 0;
}

static int pin(floe_eng_context *context, const char *identity, int64_t snapshot_id, bool delta,
               int64_t from_snapshot_id, floe_error *err)
{
    for (uint32_t i = 0; i < context->source_count; i++) {
        if (strcmp(context->sources[i].identity, identity) == 0) {
            context->sources[i].snapshot_id = snapshot_id;
            context->sources[i].delta = delta;
            context->sources[i].from_snapshot_id = from_snapshot_id;
            return FLOE_OK;
        }
    }
    if (context->source_count == context->source_capacity) {
        uint32_t capacity = context->source_capacity ? context->source_capacity * 2 : 4;
        floe_eng_source_snapshot *grown =
            floe_realloc(context->sources, capacity * sizeof *grown);
        if (grown == NULL)
            return floe_error_set(err, FLOE_ENOMEM, "out of memory pinning source snapshots");
        context->sources = grown;
        context->source_capacity = capacity;
    }
    size_t length = strlen(identity);
    char *copy = floe_malloc(length + 1);
    if (copy == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory pinning source snapshots");
    memcpy(copy, identity, length + 1);
    context->sources[context->source_count++] = (floe_eng_source_snapshot){
        .identity = copy,
        .snapshot_id = snapshot_id,
        .delta = delta,
        .from_snapshot_id = from_snapshot_id,
    };
    return FLOE_OK;
}

int floe_eng_context_pin(floe_eng_context *context, const char *identity, int64_t snapshot_id,
                         floe_error *err)
{
    return pin(context, identity, snapshot_id, false, -1, err);
}

int floe_eng_context_pin_delta(floe_eng_context *context, const char *identity,
                               int64_t from_snapshot_id, int64_t to_snapshot_id, floe_error *err)
{
    return pin(context, identity, to_snapshot_id, true, from_snapshot_id, err);
}

int floe_eng_context_pin_scan(floe_eng_context *context, const floe_sql_plan *scan,
                              int64_t snapshot_id, bool delta, int64_t from_snapshot_id,
                              floe_error *err)
{
    floe_eng_scan_pin pin_value = {scan, snapshot_id, delta, from_snapshot_id};
    for (uint32_t i = 0; i < context->scan_pin_count; i++) {
        if (context->scan_pins[i].scan == scan) {
            context->scan_pins[i] = pin_value;
            return FLOE_OK;
        }
    }
    if (context->scan_pin_count == context->scan_pin_capacity) {
        uint32_t capacity = context->scan_pin_capacity ? context->scan_pin_capacity * 2 : 4;
        floe_eng_scan_pin *grown = floe_realloc(context->scan_pins, capacity * sizeof *grown);
        if (grown == NULL)
            return floe_error_set(err, FLOE_ENOMEM, "out of memory pinning a scan's snapshot");
        context->scan_pins = grown;
        context->scan_pin_capacity = capacity;
    }
    context->scan_pins[context->scan_pin_count++] = pin_value;
    return FLOE_OK;
}

const floe_eng_scan_pin *floe_eng_context_scan_pin(const floe_eng_context *context,
                                                   const floe_sql_plan *scan)
{
    for (uint32_t i = 0; i < context->scan_pin_count; i++)
        if (context->scan_pins[i].scan == scan) return &context->scan_pins[i];
    return NULL;
}

const floe_eng_source_snapshot *floe_eng_context_source(const floe_eng_context *context,
                                                        const char *identity)
{
    for (uint32_t i = 0; i < context->source_count; i++)
        if (strcmp(context->sources[i].identity, identity) == 0)
            return &context->sources[i];
    return NULL;
}

int floe_eng_context_pinned(const floe_eng_context *context, const char *identity,
                            int64_t *snapshot_id)
{
    for (uint32_t i = 0; i < context->source_count; i++) {
        if (strcmp(context->sources[i].identity, identity) == 0) {
            *snapshot_id = context->sources[i].snapshot_id;
            return 1;
        }
    }
    return 0;
}

int floe_eng_context_reserve(floe_eng_context *context, size_t bytes, floe_error *err)
{
    size_t used = atomic_fetch_add(&context->memory_used, bytes) + bytes;
    if (context->memory_limit != 0 && used > context->memory_limit) {
        atomic_fetch_sub(&context->memory_used, bytes);
        return floe_error_set(err, FLOE_ENOMEM,
                              "query needs more than %zu MiB of memory (limit %zu MiB, "
                              "--memory-limit / FLOE_MEMORY_LIMIT)",
                              context->memory_limit >> 20, context->memory_limit >> 20);
    }
    size_t peak = atomic_load(&context->memory_peak);
    while (used > peak && !atomic_compare_exchange_weak(&context->memory_peak, &peak, used)) {
    }
    return FLOE_OK;
}

void floe_eng_context_release(floe_eng_context *context, size_t bytes)
{
    atomic_fetch_sub(&context->memory_used, bytes);
}

int floe_eng_operator_next(floe_eng_operator *op, floe_batch **batch, floe_error *err)
{
    *batch = NULL;
    int status = op->vtable->next(op, batch, err);
    if (status != FLOE_OK) {
        *batch = NULL;
        return status;
    }
    if (*batch != NULL)
        op->rows_out += floe_batch_live_count(*batch);
    return FLOE_OK;
}

void floe_eng_operator_destroy(floe_eng_operator *op)
{
    if (op != NULL)
        op->vtable->destroy(op);
}
