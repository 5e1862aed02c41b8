/*
 * iceberg_manifest.h — Iceberg manifest lists and manifests (Avro): read v1 and v2, write v2.
 *
 * Reading: floe_ice_manifest_list_read / floe_ice_manifest_read load a whole file (or take bytes
 * from memory), check its Avro container framing and every record's encoding against the
 * writer's schema (io/avro_container.h), decode records with Avro C, and look every field up BY
 * NAME, so field order and optional fields may differ between writers (Spark, pyiceberg, Floe);
 * a v1 file simply lacks the v2 fields and gets the spec's v1 defaults (content 0 = data,
 * sequence numbers 0 through inheritance, counts -1 = unknown).
 *
 * Ownership: a floe_ice_manifest_list or floe_ice_manifest owns everything it points to in one
 * floe_arena; free it with its _free function (NULL allowed). Byte values (bounds, partition
 * strings) are copies, not views into the file.
 *
 * Sequence numbers and snapshot ids that a manifest entry leaves null are inherited from the
 * manifest list entry that names the manifest (spec "Sequence Number Inheritance"):
 * floe_ice_manifest_inherit applies that rule to every entry.
 *
 * Writing (format v2 only): floe_ice_manifest_write / floe_ice_manifest_list_write encode the
 * records with Avro C from a schema parsed from the spec's schema text (iceberg_manifest_int.h),
 * and put that very text, field ids included, into the file header with Iceberg's header keys.
 * The file is written to a new path with O_EXCL (never overwrites) and fsync'ed.
 *
 * Errors: FLOE_ECORRUPT (bad bytes; the message names the file and the offset or record),
 * FLOE_EUNSUPPORTED (a codec or value type Floe does not read), FLOE_EINVAL (caller's data breaks
 * the spec: e.g. a partition value of the wrong type), FLOE_ENOMEM, -errno for file I/O.
 * Avro C allocates with its own allocator, so allocation-failure injection (memory.h) reaches
 * Floe's buffers, the arena and zlib but not Avro C's internal allocations.
 */
#ifndef FLOE_IO_ICEBERG_MANIFEST_H
#define FLOE_IO_ICEBERG_MANIFEST_H

#include "io/avro_container.h" /* floe_avro_codec */
#include "kernels/arena.h"
#include "kernels/status.h"
#include "kernels/types.h"

#include <stddef.h>
#include <stdint.h>

typedef struct floe_ice_bytes {
    const uint8_t *data;
    size_t size;
} floe_ice_bytes;

/* ---- manifest lists ---- */

enum { FLOE_ICE_MANIFEST_CONTENT_DATA = 0, FLOE_ICE_MANIFEST_CONTENT_DELETES = 1 };

typedef struct floe_ice_field_summary {
    int contains_null;         /* 0 or 1 */
    int contains_nan;          /* 0, 1, or -1 when absent */
    int has_lower_bound;
    int has_upper_bound;
    floe_ice_bytes lower_bound; /* single-value serialization (spec Appendix D) */
    floe_ice_bytes upper_bound;
} floe_ice_field_summary;

typedef struct floe_ice_manifest_file {
    const char *manifest_path;
    int64_t manifest_length;
    int32_t partition_spec_id;
    int32_t content;             /* FLOE_ICE_MANIFEST_CONTENT_*; v1: data */
    int64_t sequence_number;     /* v1: 0 */
    int64_t min_sequence_number; /* v1: 0 */
    int64_t added_snapshot_id;
    int32_t added_files_count;   /* -1 when null (v1 allows it) */
    int32_t existing_files_count;
    int32_t deleted_files_count;
    int64_t added_rows_count;    /* -1 when null */
    int64_t existing_rows_count;
    int64_t deleted_rows_count;
    int has_partitions;          /* 0 when the optional list is null */
    size_t partition_count;
    floe_ice_field_summary *partitions;
} floe_ice_manifest_file;

typedef struct floe_ice_manifest_list {
    floe_arena arena;            /* owns everything below */
    int format_version;          /* from the header's "format-version"; 1 when absent */
    int64_t snapshot_id;         /* header "snapshot-id", -1 when absent */
    int64_t parent_snapshot_id;  /* header "parent-snapshot-id", -1 when absent or "null" */
    int64_t sequence_number;     /* header "sequence-number", 0 when absent (v1) */
    size_t count;
    floe_ice_manifest_file *entries;
} floe_ice_manifest_list;

int floe_ice_manifest_list_read(const char *path, floe_ice_manifest_list **list, floe_error *err);
/* `name` labels error messages (a path, or "<memory>"). */
int floe_ice_manifest_list_read_memory(const uint8_t *data, size_t size, const char *name,
                                       floe_ice_manifest_list **list, floe_error *err);
void floe_ice_manifest_list_free(floe_ice_manifest_list *list);

/* ---- manifests ---- */

enum { FLOE_ICE_STATUS_EXISTING = 0, FLOE_ICE_STATUS_ADDED = 1, FLOE_ICE_STATUS_DELETED = 2 };
enum {
    FLOE_ICE_CONTENT_DATA = 0,
    FLOE_ICE_CONTENT_POSITION_DELETES = 1,
    FLOE_ICE_CONTENT_EQUALITY_DELETES = 2,
};

/* One field of the partition tuple, as the manifest's schema declares it. */
typedef struct floe_ice_partition_field {
    const char *name;
    int32_t field_id;            /* -1 when the schema has no field-id */
    floe_type type;              /* INT32, INT64, DATE, TIMESTAMP(TZ), STRING, BOOLEAN, DECIMAL,
                                    BINARY (bytes, fixed, uuid), FLOAT32, FLOAT64 */
    int32_t fixed_size;          /* > 0 when stored as Avro fixed (decimal or binary) */
} floe_ice_partition_field;

typedef struct floe_ice_value {
    int is_null;
    union {
        int boolean;
        int32_t i32;             /* INT32, DATE */
        int64_t i64;             /* INT64, TIMESTAMP(TZ), DECIMAL p <= 18 */
        floe_int128 i128;        /* DECIMAL p > 18 */
        float f32;
        double f64;
        floe_ice_bytes bytes;    /* STRING (UTF-8, not NUL-terminated), BINARY */
    } as;
} floe_ice_value;

typedef struct floe_ice_int_long {
    int32_t key;                 /* column field id */
    int64_t value;
} floe_ice_int_long;

typedef struct floe_ice_int_bytes {
    int32_t key;
    floe_ice_bytes value;
} floe_ice_int_bytes;

typedef struct floe_ice_counts {
    size_t count;                /* 0 both when null and when empty; see present */
    int present;
    floe_ice_int_long *items;
} floe_ice_counts;

typedef struct floe_ice_bounds {
    size_t count;
    int present;
    floe_ice_int_bytes *items;
} floe_ice_bounds;

typedef struct floe_ice_data_file {
    int32_t content;             /* FLOE_ICE_CONTENT_*; v1: data */
    const char *file_path;
    const char *file_format;     /* "parquet", "avro", "orc", "puffin" as written */
    floe_ice_value *partition;   /* manifest->partition_field_count values */
    int64_t record_count;
    int64_t file_size_in_bytes;
    floe_ice_counts column_sizes;
    floe_ice_counts value_counts;
    floe_ice_counts null_value_counts;
    floe_ice_counts nan_value_counts;
    floe_ice_bounds lower_bounds;
    floe_ice_bounds upper_bounds;
    int has_split_offsets;
    size_t split_offset_count;
    int64_t *split_offsets;
    int has_equality_ids;
    size_t equality_id_count;
    int32_t *equality_ids;
    int has_sort_order_id;
    int32_t sort_order_id;
} floe_ice_data_file;

typedef struct floe_ice_manifest_entry {
    int32_t status;              /* FLOE_ICE_STATUS_* */
    int has_snapshot_id;
    int64_t snapshot_id;
    int has_sequence_number;
    int64_t sequence_number;
    int has_file_sequence_number;
    int64_t file_sequence_number;
    floe_ice_data_file data_file;
} floe_ice_manifest_entry;

typedef struct floe_ice_manifest {
    floe_arena arena;            /* owns everything below */
    int format_version;          /* header "format-version"; 1 when absent */
    int32_t content;             /* header "content": data 0, deletes 1; data when absent */
    int32_t partition_spec_id;   /* header "partition-spec-id", -1 when absent */
    int32_t schema_id;           /* header "schema-id", -1 when absent */
    const char *schema_json;     /* header "schema" (or "iceberg.schema"), NULL when absent */
    const char *partition_spec_json; /* header "partition-spec", NULL when absent */
    size_t partition_field_count;
    floe_ice_partition_field *partition_fields;
    size_t count;
    floe_ice_manifest_entry *entries;
} floe_ice_manifest;

int floe_ice_manifest_read(const char *path, floe_ice_manifest **manifest, floe_error *err);
int floe_ice_manifest_read_memory(const uint8_t *data, size_t size, const char *name,
                                  floe_ice_manifest **manifest, floe_error *err);
void floe_ice_manifest_free(floe_ice_manifest *manifest);

/* ---- reading many files ---- */

/* A reader for the many manifests (and manifest lists) of one table, as scan planning and
 * change detection read them. It keeps what each distinct avro.schema text yields (the text
 * checked, Avro C's schema and generic value, the partition tuple's declaration), keyed by
 * the exact bytes, since a table's manifests nearly always carry one identical text; and it
 * reuses one file buffer. Results are the same as floe_ice_manifest_read's, and manifests
 * and lists read through it own their memory and may outlive it. One reader per thread: it
 * is not safe to share. The plain functions above use a temporary reader. */
typedef struct floe_ice_manifest_reader floe_ice_manifest_reader;

int floe_ice_manifest_reader_create(floe_ice_manifest_reader **reader, floe_error *err);
void floe_ice_manifest_reader_free(floe_ice_manifest_reader *reader);
int floe_ice_manifest_reader_read(floe_ice_manifest_reader *reader, const char *path,
                                  floe_ice_manifest **manifest, floe_error *err);
int floe_ice_manifest_reader_read_memory(floe_ice_manifest_reader *reader, const uint8_t *data,
                                         size_t size, const char *name,
                                         floe_ice_manifest **manifest, floe_error *err);
int floe_ice_manifest_reader_read_list(floe_ice_manifest_reader *reader, const char *path,
                                       floe_ice_manifest_list **list, floe_error *err);
/* How many distinct schema texts the reader has parsed so far (for tests and benchmarks). */
size_t floe_ice_manifest_reader_schemas_parsed(const floe_ice_manifest_reader *reader);

/* Fills null snapshot ids with list_entry->added_snapshot_id, and for ADDED entries null
 * sequence numbers with list_entry->sequence_number. An EXISTING or DELETED entry without
 * sequence numbers gets 0 when the manifest is v1 (spec: v1 defaults to 0) and is
 * FLOE_ECORRUPT in a v2 manifest. */
int floe_ice_manifest_entry_inherit(floe_ice_manifest_entry *entry, int manifest_format_version,
                                    const floe_ice_manifest_file *list_entry, floe_error *err);
int floe_ice_manifest_inherit(floe_ice_manifest *manifest,
                              const floe_ice_manifest_file *list_entry, floe_error *err);

/* ---- writing (v2) ---- */

typedef struct floe_ice_manifest_write_options {
    const char *schema_json;          /* table schema JSON for the "schema" header key */
    int32_t schema_id;
    const char *partition_spec_json;  /* the spec's fields array, for "partition-spec" */
    int32_t partition_spec_id;
    int32_t content;                  /* FLOE_ICE_MANIFEST_CONTENT_* */
    /* The partition tuple's fields (names, partition field ids >= 1000, types); none for an
     * unpartitioned table. Every field is written optional (union with null). */
    const floe_ice_partition_field *partition_fields;
    size_t partition_field_count;
    floe_avro_codec codec;
} floe_ice_manifest_write_options;

/* Writes a new file at `path`; *file_size (may be NULL) receives its length for the manifest
 * list's manifest_length. Each entry's data_file.partition holds partition_field_count values. */
int floe_ice_manifest_write(const char *path, const floe_ice_manifest_write_options *options,
                            const floe_ice_manifest_entry *entries, size_t count,
                            int64_t *file_size, floe_error *err);
/* The same, into memory (*bytes released with floe_free). */
int floe_ice_manifest_write_memory(const floe_ice_manifest_write_options *options,
                                   const floe_ice_manifest_entry *entries, size_t count,
                                   uint8_t **bytes, size_t *size, floe_error *err);

typedef struct floe_ice_manifest_list_write_options {
    int64_t snapshot_id;
    int has_parent_snapshot_id;
    int64_t parent_snapshot_id;
    int64_t sequence_number;
    floe_avro_codec codec;
} floe_ice_manifest_list_write_options;

/* Entries must carry v2 values: counts >= 0 (null counts are not allowed in v2). */
int floe_ice_manifest_list_write(const char *path,
                                 const floe_ice_manifest_list_write_options *options,
                                 const floe_ice_manifest_file *entries, size_t count,
                                 floe_error *err);
int floe_ice_manifest_list_write_memory(const floe_ice_manifest_list_write_options *options,
                                        const floe_ice_manifest_file *entries, size_t count,
                                        uint8_t **bytes, size_t *size, floe_error *err);

#endif
