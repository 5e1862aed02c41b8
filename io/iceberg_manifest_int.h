/*
 * iceberg_manifest_int.h — the Avro schemas of Iceberg manifest lists and manifests, as the
 * Iceberg table spec gives them ("Manifest Lists", "Manifests", "Entries in Manifests", field
 * ids included). Private to io/iceberg_manifest*.c and the tests.
 *
 * manifest_file (one record per manifest in a manifest list):
 *
 *   id   name                  v1        v2        Avro type
 *   500  manifest_path         required  required  string
 *   501  manifest_length       required  required  long
 *   502  partition_spec_id     required  required  int
 *   517  content               -         required  int (0 data, 1 deletes)
 *   515  sequence_number       -         required  long
 *   516  min_sequence_number   -         required  long
 *   503  added_snapshot_id     required  required  long
 *   504  added_files_count     optional  required  int
 *   505  existing_files_count  optional  required  int
 *   506  deleted_files_count   optional  required  int
 *   512  added_rows_count      optional  required  long
 *   513  existing_rows_count   optional  required  long
 *   514  deleted_rows_count    optional  required  long
 *   507  partitions            optional  optional  array<r508 field_summary> (element-id 508)
 *   519  key_metadata          optional  optional  bytes
 *   field_summary: 509 contains_null boolean, 518 contains_nan ?boolean,
 *                  510 lower_bound ?bytes, 511 upper_bound ?bytes
 *
 * manifest_entry (one record per data or delete file in a manifest):
 *
 *   0 status int | 1 snapshot_id long (v1 required, v2 optional) | 3 sequence_number ?long (v2) |
 *   4 file_sequence_number ?long (v2) | 2 data_file r2:
 *     134 content int (v2) | 100 file_path string | 101 file_format string |
 *     102 partition r102 (fields = the partition spec's, field ids 1000+) |
 *     103 record_count long | 104 file_size_in_bytes long | 105 block_size_in_bytes long (v1) |
 *     108 column_sizes map<117 int,118 long> | 109 value_counts map<119,120> |
 *     110 null_value_counts map<121,122> | 137 nan_value_counts map<138,139> |
 *     125 lower_bounds map<126 int,127 bytes> | 128 upper_bounds map<129,130> |
 *     131 key_metadata ?bytes | 132 split_offsets ?list<133 long> |
 *     135 equality_ids ?list<136 int> (v2) | 140 sort_order_id ?int
 *
 * Maps with int keys are Avro arrays of key/value records named k<key id>_v<value id> with
 * "logicalType":"map" (spec Appendix A); optional fields are unions with null first and
 * "default": null. Record names follow the spec's convention r<field id> (r2, r102, r508).
 *
 * The manifest_entry schema is split around the partition record, whose fields the writer
 * fills in from the partition spec: PREFIX + "{"type":"record","name":"r102","fields":[...]}" +
 * SUFFIX.
 */
#ifndef FLOE_IO_ICEBERG_MANIFEST_INT_H
#define FLOE_IO_ICEBERG_MANIFEST_INT_H

#define FLOE_ICE_FIELD_SUMMARY_SCHEMA                                                            \
    "{\"type\":\"record\",\"name\":\"r508\",\"fields\":["                                        \
    "{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"                        \
    "{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"default\":null,\"field-id\":518}," \
    "{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"  \
    "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":511}]}"

#define FLOE_ICE_MANIFEST_LIST_SCHEMA_V1                                                          \
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["                                \
    "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"                          \
    "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"                          \
    "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"                         \
    "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"                        \
    "{\"name\":\"added_files_count\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":504}," \
    "{\"name\":\"existing_files_count\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":505}," \
    "{\"name\":\"deleted_files_count\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":506}," \
    "{\"name\":\"added_rows_count\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":512}," \
    "{\"name\":\"existing_rows_count\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":513}," \
    "{\"name\":\"deleted_rows_count\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":514}," \
    "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":"                  \
    FLOE_ICE_FIELD_SUMMARY_SCHEMA ",\"element-id\":508}],\"default\":null,\"field-id\":507},"     \
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}]}"

#define FLOE_ICE_MANIFEST_LIST_SCHEMA_V2                                                          \
    "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["                                \
    "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"                          \
    "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"                          \
    "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"                         \
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"                                   \
    "{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"                          \
    "{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"                      \
    "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"                        \
    "{\"name\":\"added_files_count\",\"type\":\"int\",\"field-id\":504},"                         \
    "{\"name\":\"existing_files_count\",\"type\":\"int\",\"field-id\":505},"                      \
    "{\"name\":\"deleted_files_count\",\"type\":\"int\",\"field-id\":506},"                       \
    "{\"name\":\"added_rows_count\",\"type\":\"long\",\"field-id\":512},"                         \
    "{\"name\":\"existing_rows_count\",\"type\":\"long\",\"field-id\":513},"                      \
    "{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"field-id\":514},"                       \
    "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":"                  \
    FLOE_ICE_FIELD_SUMMARY_SCHEMA ",\"element-id\":508}],\"default\":null,\"field-id\":507},"     \
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}]}"

/* An int-keyed map as the spec encodes it in Avro. */
#define FLOE_ICE_INT_MAP(name, field_id, key_id, value_id, value_type)                           \
    "{\"name\":\"" name "\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\"," \
    "\"name\":\"k" #key_id "_v" #value_id "\",\"fields\":["                                       \
    "{\"name\":\"key\",\"type\":\"int\",\"field-id\":" #key_id "},"                               \
    "{\"name\":\"value\",\"type\":\"" value_type "\",\"field-id\":" #value_id "}]},"              \
    "\"logicalType\":\"map\"}],\"default\":null,\"field-id\":" #field_id "}"

#define FLOE_ICE_DATA_FILE_METRICS                                                               \
    FLOE_ICE_INT_MAP("column_sizes", 108, 117, 118, "long") ","                                   \
    FLOE_ICE_INT_MAP("value_counts", 109, 119, 120, "long") ","                                   \
    FLOE_ICE_INT_MAP("null_value_counts", 110, 121, 122, "long") ","                              \
    FLOE_ICE_INT_MAP("nan_value_counts", 137, 138, 139, "long") ","                               \
    FLOE_ICE_INT_MAP("lower_bounds", 125, 126, 127, "bytes") ","                                  \
    FLOE_ICE_INT_MAP("upper_bounds", 128, 129, 130, "bytes") ","                                  \
    "{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":131}," \
    "{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","       \
    "\"element-id\":133}],\"default\":null,\"field-id\":132},"

#define FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V1_PREFIX                                                  \
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["                               \
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"                                      \
    "{\"name\":\"snapshot_id\",\"type\":\"long\",\"field-id\":1},"                                \
    "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["          \
    "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"                              \
    "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"                            \
    "{\"name\":\"partition\",\"type\":"

#define FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V1_SUFFIX                                                  \
    ",\"field-id\":102},"                                                                          \
    "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"                             \
    "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"                       \
    "{\"name\":\"block_size_in_bytes\",\"type\":\"long\",\"field-id\":105},"                      \
    FLOE_ICE_DATA_FILE_METRICS                                                                    \
    "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140}]}," \
    "\"field-id\":2}]}"

#define FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V2_PREFIX                                                  \
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["                               \
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"                                      \
    "{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"    \
    "{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3}," \
    "{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,"           \
    "\"field-id\":4},"                                                                             \
    "{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["          \
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"                                   \
    "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"                              \
    "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"                            \
    "{\"name\":\"partition\",\"type\":"

#define FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V2_SUFFIX                                                  \
    ",\"field-id\":102},"                                                                          \
    "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"                             \
    "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"                       \
    FLOE_ICE_DATA_FILE_METRICS                                                                    \
    "{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","         \
    "\"element-id\":136}],\"default\":null,\"field-id\":135},"                                    \
    "{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140}]}," \
    "\"field-id\":2}]}"

/* The partition record of an unpartitioned table. */
#define FLOE_ICE_EMPTY_PARTITION_SCHEMA "{\"type\":\"record\",\"name\":\"r102\",\"fields\":[]}"

#endif
