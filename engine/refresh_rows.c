/*
 * refresh_rows.c — incremental refresh of non-aggregating dynamic tables (contract in
 * engine/refresh_incremental.h and engine/refresh_incremental_int.h).
 */
#include "engine/refresh_incremental_int.h"

bool floe_eng_incremental_rows_shape(const floe_sql_plan *plan, const char **construct)
{
    (void)plan;
    *construct = "non-aggregating tables";
    return false;
}

int floe_eng_incremental_rows_run(floe_eng_database *db, floe_eng_incremental *inc,
                                  const floe_ice_table *table, const floe_sql_plan *plan,
                                  const floe_eng_incremental_source *sources,
                                  uint32_t source_count, const char *previous_manifest,
                                  int64_t refresh_number, char *fallback, floe_error *err)
{
    (void)db, (void)inc, (void)table, (void)plan, (void)sources, (void)source_count;
    (void)previous_manifest, (void)refresh_number, (void)fallback;
    return floe_error_set(err, FLOE_EINVAL, "incremental maintenance of %s is not built yet",
                          "non-aggregating tables");
}
