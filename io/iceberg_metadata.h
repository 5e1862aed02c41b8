/*
 * iceberg_metadata.h — Apache Iceberg table metadata JSON: read (format v1 and v2), build, and
 * write (format v2).
 *
 * What it does. A table's metadata file (metadata/vN.metadata.json, possibly gzip-compressed)
 * is parsed into one floe_ice_table_metadata: schemas, partition specs, sort orders,
 * properties, snapshots (with the path of each snapshot's manifest list; reading the Avro
 * manifests is io/iceberg_manifest's job), refs, the snapshot and metadata logs, and the
 * `schema.name-mapping.default` property parsed into a name → field-id lookup. The same object
 * can be created for a new table, changed with the builder functions below (add a snapshot,
 * set a property, log a metadata file) and written as v2 JSON, which the commit protocol
 * (DESIGN.md, "The lake") publishes as v(N+1).metadata.json.
 *
 * Reading follows the spec (apache/iceberg format/spec.md, "Table Metadata" and "Appendix C:
 * JSON serialization"), with these decisions:
 *   - format-version 1 and 2 are read; 3 and 4 are valid Iceberg but not handled yet
 *     (FLOE_EUNSUPPORTED); anything else is FLOE_ECORRUPT.
 *   - v1 defaults: last-sequence-number and snapshot sequence numbers are 0; the single
 *     "schema" (schema-id 0 unless given) is used when "schemas" is absent; the single
 *     "partition-spec" (spec-id 0, field ids 1000, 1001, ... when absent) when
 *     "partition-specs" is absent; a v1 snapshot's "manifests" array is kept as is.
 *   - current-snapshot-id -1, null or absent all mean "no current snapshot" (-1 here).
 *   - "refs" always holds a `main` branch for the current snapshot (the spec says there is
 *     always one, even when the map is absent, as in v1).
 *   - sort-orders, though required in v2, default to the unsorted order 0 when absent: a
 *     reader does not need them and some writers have omitted them.
 *   - "statistics", "partition-statistics" and unknown fields are ignored, so writing a parsed
 *     table drops them (statistics are optional; dropping them is always valid).
 *   - Types: the primitives boolean int long float double decimal(P,S) date time timestamp
 *     timestamptz string uuid fixed[L] binary are recognised; struct, list and map load as
 *     FLOE_ICE_TYPE_NESTED (their JSON is kept verbatim so writing reproduces them); v3 types
 *     (timestamp_ns, variant, unknown, geometry, geography) load as FLOE_ICE_TYPE_UNSUPPORTED.
 *     Using such a column is what fails (floe_ice_field_floe_type returns FLOE_EUNSUPPORTED),
 *     as DESIGN.md asks: the metadata itself must still load.
 *   - Partition transforms identity, bucket[N], truncate[W], year, month, day, hour, void;
 *     any other transform loads as FLOE_ICE_TRANSFORM_UNKNOWN (the spec tells readers to
 *     ignore such fields).
 *   - schema.name-mapping.default is the spec's list of {field-id, names, fields}; the form
 *     some writers use, that list wrapped as {"type": "struct", "fields": [...]}, is read too.
 *     Only top-level names are kept for lookup; a name listed twice maps to its first id.
 *   - Gzip is recognised by its magic bytes, not by the name (.gz.metadata.json or
 *     .metadata.json.gz are the usual names; a plain file so named still reads).
 *   - Checked: JSON syntax (duplicate keys rejected), JSON types, required fields, int32
 *     ranges, duplicate schema / spec / sort-order / snapshot / field ids, decimal precision
 *     and scale, and that current-schema-id, default-spec-id, default-sort-order-id,
 *     current-snapshot-id and every ref name an existing schema / spec / order / snapshot.
 *     Parent snapshot ids and log entries may name expired snapshots and are not checked.
 *
 * Errors: FLOE_ECORRUPT with one line naming the source and the JSON path, e.g.
 * "v3.metadata.json: snapshots[3].manifest-list: expected a string"; FLOE_EUNSUPPORTED for
 * v3/v4 metadata; FLOE_ENOMEM; -errno when the file cannot be read.
 *
 * Memory. Everything a floe_ice_table_metadata points at (strings, arrays) lives in its own
 * arena and dies with floe_ice_table_metadata_free; pointers returned by lookups stay valid
 * until then. Builders copy their arguments. Not thread-safe for writes; concurrent reads of
 * an object nobody changes are fine.
 *
 * JSON goes through jansson, whose allocator this module points at floe_malloc/floe_free
 * (json_set_alloc_funcs, once per process) so that allocation-failure tests reach it too.
 */
#ifndef FLOE_IO_ICEBERG_METADATA_H
#define FLOE_IO_ICEBERG_METADATA_H

#include "kernels/arena.h"  /* floe_arena */
#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type */

#include <stddef.h>
#include <stdint.h>

/* Decompressed gzip metadata larger than this is refused (a guard against gzip bombs). */
#define FLOE_ICE_METADATA_MAX_BYTES ((size_t)256 << 20)

typedef enum floe_ice_type_kind {
    FLOE_ICE_TYPE_BOOLEAN = 1,
    FLOE_ICE_TYPE_INT,
    FLOE_ICE_TYPE_LONG,
    FLOE_ICE_TYPE_FLOAT,
    FLOE_ICE_TYPE_DOUBLE,
    FLOE_ICE_TYPE_DECIMAL,     /* precision, scale */
    FLOE_ICE_TYPE_DATE,
    FLOE_ICE_TYPE_TIME,        /* microseconds since midnight, read as INT64 */
    FLOE_ICE_TYPE_TIMESTAMP,
    FLOE_ICE_TYPE_TIMESTAMPTZ,
    FLOE_ICE_TYPE_STRING,
    FLOE_ICE_TYPE_UUID,
    FLOE_ICE_TYPE_FIXED,       /* length */
    FLOE_ICE_TYPE_BINARY,
    FLOE_ICE_TYPE_NESTED,      /* struct, list or map: loads, but Floe cannot read it */
    FLOE_ICE_TYPE_UNSUPPORTED, /* a v3 primitive (timestamp_ns, variant, ...) */
} floe_ice_type_kind;

typedef struct floe_ice_field {
    int32_t id;
    const char *name;
    int required;             /* non-zero: values are never NULL */
    floe_ice_type_kind kind;
    uint8_t precision;        /* DECIMAL */
    uint8_t scale;            /* DECIMAL */
    int32_t length;           /* FIXED: bytes per value */
    const char *type_text;    /* the type as written: "long", "decimal(15, 2)", "struct"... */
    const char *nested_json;  /* NESTED: the type object as compact JSON, for writing back */
    const char *doc;          /* NULL when absent */
} floe_ice_field;

typedef struct floe_ice_schema {
    int32_t schema_id;
    floe_ice_field *fields;   /* top-level columns in order */
    size_t field_count;
    int32_t *identifier_field_ids;
    size_t identifier_field_count;
} floe_ice_schema;

typedef enum floe_ice_transform_kind {
    FLOE_ICE_TRANSFORM_IDENTITY = 1,
    FLOE_ICE_TRANSFORM_BUCKET,   /* parameter = N */
    FLOE_ICE_TRANSFORM_TRUNCATE, /* parameter = W */
    FLOE_ICE_TRANSFORM_YEAR,
    FLOE_ICE_TRANSFORM_MONTH,
    FLOE_ICE_TRANSFORM_DAY,
    FLOE_ICE_TRANSFORM_HOUR,
    FLOE_ICE_TRANSFORM_VOID,
    FLOE_ICE_TRANSFORM_UNKNOWN,  /* kept as text, ignored when planning */
} floe_ice_transform_kind;

typedef struct floe_ice_partition_field {
    int32_t source_id;
    int32_t field_id;
    const char *name;
    floe_ice_transform_kind transform;
    int32_t parameter;           /* N of bucket[N], W of truncate[W], else 0 */
    const char *transform_text;  /* as written: "bucket[16]" */
} floe_ice_partition_field;

typedef struct floe_ice_partition_spec {
    int32_t spec_id;
    floe_ice_partition_field *fields;
    size_t field_count;
} floe_ice_partition_spec;

typedef struct floe_ice_sort_field {
    const char *transform_text;
    int32_t source_id;
    int descending;       /* "direction": "desc" */
    int nulls_first;      /* "null-order": "nulls-first" */
} floe_ice_sort_field;

typedef struct floe_ice_sort_order {
    int32_t order_id;
    floe_ice_sort_field *fields;
    size_t field_count;
} floe_ice_sort_order;

typedef struct floe_ice_property {
    const char *key;
    const char *value;
} floe_ice_property;

typedef struct floe_ice_snapshot {
    int64_t snapshot_id;
    int64_t parent_snapshot_id;   /* -1 when the snapshot has no parent */
    int64_t sequence_number;      /* 0 in v1 */
    int64_t timestamp_ms;
    const char *manifest_list;    /* NULL only for a v1 snapshot that lists "manifests" */
    const char **manifests;       /* v1 "manifests", else NULL */
    size_t manifest_count;
    const char *operation;        /* summary "operation"; NULL only in v1 without summary */
    floe_ice_property *summary;   /* every summary entry, operation included, in file order */
    size_t summary_count;
    int32_t schema_id;            /* -1 when absent */
} floe_ice_snapshot;

typedef enum floe_ice_ref_type {
    FLOE_ICE_REF_BRANCH = 1,
    FLOE_ICE_REF_TAG,
} floe_ice_ref_type;

typedef struct floe_ice_ref {
    const char *name;
    int64_t snapshot_id;
    floe_ice_ref_type type;
    int64_t min_snapshots_to_keep; /* -1 when absent */
    int64_t max_snapshot_age_ms;   /* -1 when absent */
    int64_t max_ref_age_ms;        /* -1 when absent */
} floe_ice_ref;

typedef struct floe_ice_snapshot_log_entry {
    int64_t timestamp_ms;
    int64_t snapshot_id;
} floe_ice_snapshot_log_entry;

typedef struct floe_ice_metadata_log_entry {
    int64_t timestamp_ms;
    const char *metadata_file;
} floe_ice_metadata_log_entry;

/* One name of schema.name-mapping.default: a file column called `name` is field `field_id`.
 * Only the top level is kept (nested mappings are parsed and checked, then dropped). */
typedef struct floe_ice_name_mapping_entry {
    const char *name;
    int32_t field_id;
} floe_ice_name_mapping_entry;

typedef struct floe_ice_table_metadata {
    floe_arena arena;                 /* owns every pointer below */
    int format_version;               /* as read (1 or 2); written as 2 */
    const char *table_uuid;           /* NULL only in v1 without one */
    const char *location;
    int64_t last_sequence_number;
    int64_t last_updated_ms;
    int32_t last_column_id;

    floe_ice_schema *schemas;
    size_t schema_count;
    int32_t current_schema_id;

    floe_ice_partition_spec *partition_specs;
    size_t partition_spec_count;
    int32_t default_spec_id;
    int32_t last_partition_id;

    floe_ice_sort_order *sort_orders;
    size_t sort_order_count;
    int32_t default_sort_order_id;

    floe_ice_property *properties;    /* in file order, keys unique */
    size_t property_count;

    int64_t current_snapshot_id;      /* -1: the table has no snapshot */
    floe_ice_snapshot *snapshots;     /* in file order (oldest first as writers emit them) */
    size_t snapshot_count;
    floe_ice_ref *refs;
    size_t ref_count;
    floe_ice_snapshot_log_entry *snapshot_log;
    size_t snapshot_log_count;
    floe_ice_metadata_log_entry *metadata_log;
    size_t metadata_log_count;

    floe_ice_name_mapping_entry *name_mapping; /* from schema.name-mapping.default, else NULL */
    size_t name_mapping_count;
} floe_ice_table_metadata;

/* ---- reading ---------------------------------------------------------------------------- */

/* Parses metadata JSON held in memory (plain, not gzip). `source_name` names the input in
 * error messages (a file name; NULL gives "metadata"). On success *out is a new object. */
int floe_ice_table_metadata_parse(const char *json, size_t size, const char *source_name,
                                  floe_ice_table_metadata **out, floe_error *err);

/* Reads and parses a metadata file; gzip (by magic bytes 1f 8b, whatever the name) is
 * decompressed up to FLOE_ICE_METADATA_MAX_BYTES. */
int floe_ice_table_metadata_read_file(const char *path, floe_ice_table_metadata **out,
                                      floe_error *err);

/* The same in two steps, for a cache keyed by what the file holds: its bytes as stored (*data
 * the caller's, floe_free), then those bytes parsed (gzip or not, as above). */
int floe_ice_table_metadata_read_bytes(const char *path, char **data, size_t *size,
                                       floe_error *err);
int floe_ice_table_metadata_parse_stored(const char *data, size_t size, const char *path,
                                         floe_ice_table_metadata **out, floe_error *err);

void floe_ice_table_metadata_free(floe_ice_table_metadata *metadata);

/* ---- lookups (NULL when absent) --------------------------------------------------------- */

const floe_ice_schema *floe_ice_schema_by_id(const floe_ice_table_metadata *metadata,
                                             int32_t schema_id);
const floe_ice_schema *floe_ice_current_schema(const floe_ice_table_metadata *metadata);
const floe_ice_partition_spec *floe_ice_partition_spec_by_id(
    const floe_ice_table_metadata *metadata, int32_t spec_id);
const floe_ice_partition_spec *floe_ice_default_partition_spec(
    const floe_ice_table_metadata *metadata);
const floe_ice_snapshot *floe_ice_snapshot_by_id(const floe_ice_table_metadata *metadata,
                                                 int64_t snapshot_id);
const floe_ice_snapshot *floe_ice_current_snapshot(const floe_ice_table_metadata *metadata);
/* A snapshot's summary value for `key` (NULL when absent, or when snapshot is NULL), and the
 * same read as a base-10 integer (`fallback` when absent or not a whole number). */
const char *floe_ice_snapshot_summary(const floe_ice_snapshot *snapshot, const char *key);
int64_t floe_ice_snapshot_summary_int(const floe_ice_snapshot *snapshot, const char *key,
                                      int64_t fallback);
const floe_ice_ref *floe_ice_ref_by_name(const floe_ice_table_metadata *metadata,
                                         const char *name);
const char *floe_ice_property_get(const floe_ice_table_metadata *metadata, const char *key);

/* Top-level column of a schema by field id, or by exact (case-sensitive) name. */
const floe_ice_field *floe_ice_field_by_id(const floe_ice_schema *schema, int32_t field_id);
const floe_ice_field *floe_ice_field_by_name(const floe_ice_schema *schema, const char *name);

/* Field id that schema.name-mapping.default gives a file column name; -1 when none. */
int32_t floe_ice_name_mapping_lookup(const floe_ice_table_metadata *metadata, const char *name);

/* Non-zero when `ancestor_id` is `snapshot_id` or one of its ancestors, following
 * parent-snapshot-id through the snapshots still in the metadata (the walk stops at a parent
 * that has expired: history beyond it is unknown, so the answer is 0). */
int floe_ice_snapshot_is_ancestor(const floe_ice_table_metadata *metadata, int64_t ancestor_id,
                                  int64_t snapshot_id);

/* The Floe type a column is read as: int→INT32, long→INT64, float→FLOAT32, double→FLOAT64,
 * decimal→DECIMAL, date→DATE, time→INT64 (microseconds since midnight: Floe has no TIME),
 * timestamp→TIMESTAMP, timestamptz→TIMESTAMPTZ, string→STRING, uuid/fixed/binary→BINARY,
 * boolean→BOOLEAN. NESTED and UNSUPPORTED: FLOE_EUNSUPPORTED naming the column. */
int floe_ice_field_floe_type(const floe_ice_field *field, floe_type *out, floe_error *err);

/* ---- building (for the catalog and commit code) ----------------------------------------- */

/* A column of a new table. id 0 assigns the next free id (1, 2, ... in order). */
typedef struct floe_ice_new_column {
    const char *name;
    floe_type type;           /* any valid floe_type */
    int required;
    int32_t id;
    const char *doc;          /* NULL for none */
} floe_ice_new_column;

/* New v2 metadata for an empty table at `location`: schema 0 from the columns, the
 * unpartitioned spec 0, the unsorted order 0, a fresh random table-uuid, no snapshot,
 * last-updated-ms = timestamp_ms. FLOE_EINVAL for duplicate names or ids, or invalid types. */
int floe_ice_table_metadata_create(const char *location, const floe_ice_new_column *columns,
                                   size_t column_count, int64_t timestamp_ms,
                                   floe_ice_table_metadata **out, floe_error *err);

typedef struct floe_ice_new_snapshot {
    int64_t snapshot_id;          /* unique, positive: see floe_ice_random_snapshot_id */
    int64_t parent_snapshot_id;   /* -1 for none */
    int64_t sequence_number;      /* 0 takes last-sequence-number + 1 */
    int64_t timestamp_ms;
    const char *manifest_list;
    const char *operation;        /* append | replace | overwrite | delete */
    const floe_ice_property *summary; /* further summary entries ("operation" not among them) */
    size_t summary_count;
} floe_ice_new_snapshot;

/* Adds a snapshot (schema-id = the current schema) and makes it current: current-snapshot-id,
 * the `main` branch, last-sequence-number, last-updated-ms and a snapshot-log entry.
 * FLOE_EINVAL when the id is taken or not positive, the sequence number is not above
 * last-sequence-number, or a field is missing. */
int floe_ice_table_metadata_add_snapshot(floe_ice_table_metadata *metadata,
                                         const floe_ice_new_snapshot *snapshot, floe_error *err);

/* Sets (adds or replaces) a table property. */
int floe_ice_table_metadata_set_property(floe_ice_table_metadata *metadata, const char *key,
                                         const char *value, floe_error *err);

/* Appends to metadata-log (the previous metadata file, when writing the next version). */
int floe_ice_table_metadata_append_metadata_log(floe_ice_table_metadata *metadata,
                                                int64_t timestamp_ms, const char *metadata_file,
                                                floe_error *err);

/* A random version-4 UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" plus NUL (getrandom). */
int floe_ice_random_uuid(char out[37], floe_error *err);

/* A random positive snapshot id, as the spec recommends (Appendix F). */
int floe_ice_random_snapshot_id(int64_t *out, floe_error *err);

/* ---- writing ---------------------------------------------------------------------------- */

/* Serialises as format v2 JSON (2-space indented, ending in a newline) into a new buffer
 * allocated with floe_malloc (release with floe_free; *size excludes the NUL that follows).
 * FLOE_EUNSUPPORTED when a snapshot has no manifest list (a v1 "manifests" snapshot: v2
 * needs a manifest list file, which this module does not write); FLOE_EINVAL when the table
 * has no table-uuid. */
int floe_ice_table_metadata_write_json(const floe_ice_table_metadata *metadata, char **json,
                                       size_t *size, floe_error *err);

/* Names for enums, as Iceberg spells them ("long", "bucket", "branch"). */
const char *floe_ice_type_kind_name(floe_ice_type_kind kind);
const char *floe_ice_transform_kind_name(floe_ice_transform_kind kind);

#endif
