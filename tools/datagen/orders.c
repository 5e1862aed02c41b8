/*
 * orders.c — `floe-datagen orders`: bronze.customers and bronze.orders, the source tables of
 * DESIGN.md's examples, at benchmark sizes (tens of millions of orders), and `--append N` to
 * add N more orders as one new snapshot (what an incremental refresh then reads).
 *
 *   bronze.customers (customer_id BIGINT required, name STRING, region STRING, segment STRING,
 *                     signup_date DATE)
 *   bronze.orders    (order_id BIGINT required, customer_id BIGINT, region STRING,
 *                     amount_usd DECIMAL(12,2), quantity INT, ts TIMESTAMP, status STRING)
 *
 * Distributions, chosen so the benchmark's GROUP BYs and join are neither trivial nor uniform:
 *   - 8 regions with unequal shares (us-east 22% ... africa 6%); a customer's region is a
 *     function of the customer, and an order's region is its customer's, so orders JOIN
 *     customers agree with orders' own region column;
 *   - segment: 5 values (consumer 55% ... education 3%); names from 48 x 48 first/last names;
 *     signup_date uniform over 2018..2023;
 *   - customer_id of an order: 90% uniform over the M customers, 10% from a square-law head
 *     (low ids order far more often: a few heavy customers, as real order streams have);
 *   - quantity 1..10, small quantities most common; amount_usd = quantity x a unit price
 *     log-uniform in $2..$400 (cents exact), so sums are exact decimals; the price goes through
 *     libm's exp, correctly rounded in glibc since 2.28, so the same on every such machine;
 *   - ts: orders arrive in order_id order at orders_per_day per day from 2024-01-01 00:00,
 *     each stamped up to 10 minutes late (so files overlap slightly in time, as late events do);
 *     50M orders at the default 150,000/day span about 333 days;
 *   - status: completed 80%, shipped 9%, pending 5%, cancelled 4%, returned 2%.
 * Columns other than the ids are optional (nullable, as Spark and most ingestion tools declare
 * them) but hold no NULLs.
 *
 * Files: rows_per_file orders per file, one append snapshot per file by default (a source that
 * grew by appends: what change detection walks), customers in one snapshot. An append reads the
 * generator's parameters back from the table — seed, customers and orders per day from its
 * properties, the next order from the latest datagen snapshot's summary — so appended orders
 * are exactly those a larger first run would have generated, continuing ids and time.
 */
#define _XOPEN_SOURCE 700

#include "datagen.h"

#include "io/catalog_fs.h"
#include "io/iceberg_table.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_CUSTOMER = 101, TAG_ORDER = 102, TAG_CUSTOMER_REGION = 103 };

#define PROPERTY_SEED "floe-datagen.seed"
#define PROPERTY_CUSTOMERS "floe-datagen.customers"
#define PROPERTY_ORDERS_PER_DAY "floe-datagen.orders-per-day"

#define COUNT_OF(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))

static const char *const regions[] = {"us-east", "us-west", "eu-west", "eu-central",
                                      "apac-south", "apac-east", "latam", "africa"};
static const uint16_t region_weights[] = {220, 150, 160, 120, 100, 110, 80, 60}; /* of 1000 */

static const char *const segments[] = {"consumer", "small-business", "enterprise",
                                       "public-sector", "education"};
static const uint16_t segment_weights[] = {55, 25, 12, 5, 3}; /* of 100 */

static const char *const statuses[] = {"completed", "shipped", "pending", "cancelled",
                                       "returned"};
static const uint16_t status_weights[] = {80, 9, 5, 4, 2}; /* of 100 */

static const uint16_t quantity_weights[] = {30, 20, 14, 10, 8, 6, 5, 3, 2, 2}; /* 1..10, of 100 */

static const char *const first_names[] = {
    "Ada", "Alan", "Amara", "Ana", "Bruno", "Chen", "Chloe", "Dmitri", "Elena", "Emeka",
    "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jin", "Kaito",
    "Karin", "Lars", "Leila", "Luca", "Maya", "Mateo", "Nadia", "Noah", "Olga", "Omar",
    "Priya", "Quinn", "Rafael", "Rosa", "Sanjay", "Sofia", "Tariq", "Thea", "Uma", "Victor",
    "Wei", "Xena", "Yara", "Yusuf", "Zara", "Zoltan", "Aiko", "Bjorn"};
static const char *const last_names[] = {
    "Abe", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Chandra", "Costa", "Dubois",
    "Eriksson", "Fischer", "Garcia", "Gupta", "Hansen", "Hoffmann", "Ito", "Jensen", "Kim",
    "Kowalski", "Kumar", "Larsen", "Lopez", "Martin", "Moreau", "Murphy", "Nakamura",
    "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel", "Petrov", "Rossi", "Santos",
    "Schmidt", "Silva", "Singh", "Suzuki", "Tanaka", "Thomas", "Unger", "Varga", "Wagner",
    "Wang", "Weber", "Yilmaz", "Zhang"};

typedef struct orders_context {
    uint64_t customers;
    uint64_t orders_per_day;
    uint64_t customer_stream, order_stream, customer_region_stream;
    int64_t start_micros;       /* 2024-01-01 00:00:00 */
    int32_t signup_first, signup_last;
    double log_price_low, log_price_span; /* ln(200 cents), ln(40000) - ln(200) */
} orders_context;

static uint32_t customer_region(const orders_context *context, uint64_t customer_id)
{
    gen_random random = gen_random_at(context->customer_region_stream, customer_id);
    return gen_weighted(&random, region_weights, COUNT_OF(region_weights), 1000);
}

#define ID_COLUMN(name) {name, {FLOE_TYPE_INT64, 0, 0}, true, NULL, 0}
#define CATEGORY_COLUMN(name, values) \
    {name, {FLOE_TYPE_STRING, 0, 0}, false, values, COUNT_OF(values)}

static const gen_column customer_columns[] = {
    ID_COLUMN("customer_id"),
    {"name", {FLOE_TYPE_STRING, 0, 0}, false, NULL, 0},
    CATEGORY_COLUMN("region", regions),
    CATEGORY_COLUMN("segment", segments),
    {"signup_date", {FLOE_TYPE_DATE, 0, 0}, false, NULL, 0}};

static int fill_customer(const gen_table *table, uint64_t unit, floe_batch *batch,
                         floe_error *err)
{
    const orders_context *context = table->context;
    uint64_t id = unit + 1;
    gen_random random = gen_random_at(context->customer_stream, id);
    uint32_t row = batch->row_count;
    ((int64_t *)batch->columns[0].data)[row] = (int64_t)id;
    /* One draw per statement: the order of evaluation of function arguments is unspecified. */
    const char *first = first_names[gen_below(&random, COUNT_OF(first_names))];
    const char *last = last_names[gen_below(&random, COUNT_OF(last_names))];
    char name[64];
    int length = snprintf(name, sizeof name, "%s %s", first, last);
    FLOE_TRY(floe_vector_set_string(&batch->columns[1], row, name, (uint32_t)length, err));
    ((uint32_t *)batch->columns[2].data)[row] = customer_region(context, id);
    ((uint32_t *)batch->columns[3].data)[row] =
        gen_weighted(&random, segment_weights, COUNT_OF(segment_weights), 100);
    ((int32_t *)batch->columns[4].data)[row] =
        (int32_t)gen_between(&random, context->signup_first, context->signup_last);
    batch->row_count++;
    return FLOE_OK;
}

static const gen_column order_columns[] = {
    ID_COLUMN("order_id"),
    {"customer_id", {FLOE_TYPE_INT64, 0, 0}, false, NULL, 0},
    CATEGORY_COLUMN("region", regions),
    {"amount_usd", {FLOE_TYPE_DECIMAL, 12, 2}, false, NULL, 0},
    {"quantity", {FLOE_TYPE_INT32, 0, 0}, false, NULL, 0},
    {"ts", {FLOE_TYPE_TIMESTAMP, 0, 0}, false, NULL, 0},
    CATEGORY_COLUMN("status", statuses)};

static int fill_order(const gen_table *table, uint64_t unit, floe_batch *batch, floe_error *err)
{
    const orders_context *context = table->context;
    gen_random random = gen_random_at(context->order_stream, unit);
    uint32_t row = batch->row_count;
    uint64_t customer;
    if (gen_below(&random, 10) != 0) {
        customer = gen_below(&random, context->customers) + 1;
    } else {
        double u = gen_unit(&random);
        customer = (uint64_t)(u * u * (double)context->customers) + 1;
    }
    int32_t quantity = (int32_t)gen_weighted(&random, quantity_weights,
                                             COUNT_OF(quantity_weights), 100) + 1;
    double price = exp(context->log_price_low + gen_unit(&random) * context->log_price_span);
    int64_t unit_price_cents = (int64_t)price;
    const int64_t day = 86400000000;
    int64_t jitter = gen_between(&random, 0, 600000000);
    int64_t ts = context->start_micros +
                 (int64_t)((floe_uint128)unit * (uint64_t)day / context->orders_per_day) + jitter;
    ((int64_t *)batch->columns[0].data)[row] = (int64_t)unit + 1;
    ((int64_t *)batch->columns[1].data)[row] = (int64_t)customer;
    ((uint32_t *)batch->columns[2].data)[row] = customer_region(context, customer);
    ((int64_t *)batch->columns[3].data)[row] = unit_price_cents * quantity;
    ((int32_t *)batch->columns[4].data)[row] = quantity;
    ((int64_t *)batch->columns[5].data)[row] = ts;
    ((uint32_t *)batch->columns[6].data)[row] =
        gen_weighted(&random, status_weights, COUNT_OF(status_weights), 100);
    batch->row_count++;
    (void)err;
    return FLOE_OK;
}

static void context_init(orders_context *context, uint64_t seed, uint64_t customers,
                         uint64_t orders_per_day)
{
    memset(context, 0, sizeof *context);
    context->customers = customers;
    context->orders_per_day = orders_per_day;
    context->customer_stream = gen_stream(seed, TAG_CUSTOMER);
    context->order_stream = gen_stream(seed, TAG_ORDER);
    context->customer_region_stream = gen_stream(seed, TAG_CUSTOMER_REGION);
    context->start_micros = (int64_t)gen_days_from_civil(2024, 1, 1) * 86400000000;
    context->signup_first = gen_days_from_civil(2018, 1, 1);
    context->signup_last = gen_days_from_civil(2023, 12, 31);
    context->log_price_low = log(200.0);
    context->log_price_span = log(40000.0) - log(200.0);
}

static int parse_property(const floe_ice_table_metadata *metadata, const char *table,
                          const char *key, uint64_t *value, floe_error *err)
{
    const char *text = floe_ice_property_get(metadata, key);
    FLOE_RETURN_IF(text == NULL, FLOE_EINVAL, err,
                   "%s: property %s is missing (was the table written by floe-datagen orders?)",
                   table, key);
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    FLOE_RETURN_IF(errno != 0 || end == text || *end != '\0', FLOE_ECORRUPT, err,
                   "%s: property %s is not a number: '%s'", table, key, text);
    *value = parsed;
    return FLOE_OK;
}

/* The generator state an append continues from: parameters from the table's properties, the
 * next order from the newest snapshot (walking back through parents) that datagen wrote. */
static int read_append_state(const gen_options *options, const char *table_name,
                             gen_orders_parameters *state, uint64_t *next_order, floe_error *err)
{
    char directory[PATH_MAX];
    FLOE_TRY(floe_io_catalog_table_directory(options->warehouse, table_name, directory,
                                             sizeof directory, err));
    floe_ice_table *table = NULL;
    int status = floe_ice_table_open(&table, directory, NULL, err);
    if (status == FLOE_ENOTFOUND)
        return floe_error_set(err, status, "%s: no such table in %s (generate it first)",
                              table_name, options->warehouse);
    if (status < 0) return status;
    const floe_ice_table_metadata *metadata = table->metadata;
    status = parse_property(metadata, table_name, PROPERTY_SEED, &state->seed, err);
    if (status == FLOE_OK)
        status = parse_property(metadata, table_name, PROPERTY_CUSTOMERS, &state->customers, err);
    if (status == FLOE_OK)
        status = parse_property(metadata, table_name, PROPERTY_ORDERS_PER_DAY,
                                &state->orders_per_day, err);
    const char *next_text = NULL;
    for (const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
         status == FLOE_OK && snapshot != NULL && next_text == NULL;
         snapshot = snapshot->parent_snapshot_id >= 0
                        ? floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id)
                        : NULL) {
        next_text = floe_ice_snapshot_summary(snapshot, GEN_SUMMARY_NEXT_UNIT);
    }
    if (status == FLOE_OK && next_text == NULL)
        status = floe_error_set(err, FLOE_EINVAL, "%s: no snapshot written by floe-datagen",
                                table_name);
    if (status == FLOE_OK) {
        char *end = NULL;
        *next_order = strtoull(next_text, &end, 10);
        if (end == next_text || *end != '\0')
            status = floe_error_set(err, FLOE_ECORRUPT, "%s: snapshot summary %s is '%s'",
                                    table_name, GEN_SUMMARY_NEXT_UNIT, next_text);
    }
    floe_ice_table_free(table);
    return status;
}

static void print_result(const char *name, const gen_result *result)
{
    printf("%s: %" PRIu64 " rows, %" PRIu64 " file%s, %" PRIu64 " snapshot%s, %" PRIu64
           " bytes\n",
           name, result->rows, result->files, result->files == 1 ? "" : "s", result->snapshots,
           result->snapshots == 1 ? "" : "s", result->bytes);
}

int gen_orders(const gen_options *options, const gen_orders_parameters *parameters,
               floe_error *err)
{
    char customers_name[160], orders_name[160];
    snprintf(customers_name, sizeof customers_name, "%s.customers", parameters->namespace_name);
    snprintf(orders_name, sizeof orders_name, "%s.orders", parameters->namespace_name);
    FLOE_RETURN_IF(parameters->rows == 0, FLOE_EINVAL, err, "%s: the number of orders is 0",
                   parameters->append ? "--append" : "--rows");
    FLOE_RETURN_IF(parameters->rows_per_file == 0, FLOE_EINVAL, err, "--rows-per-file is 0");
    gen_orders_parameters state = *parameters;
    uint64_t first_order = 0;
    if (parameters->append) {
        FLOE_RETURN_IF(parameters->seed_given || parameters->customers_given ||
                           parameters->orders_per_day_given,
                       FLOE_EINVAL, err,
                       "--append continues the table's own generator: --seed, --customers and "
                       "--orders-per-day are read from %s, not given",
                       orders_name);
        FLOE_TRY(read_append_state(options, orders_name, &state, &first_order, err));
    } else {
        FLOE_RETURN_IF(state.customers == 0, FLOE_EINVAL, err, "--customers: must be at least 1");
        FLOE_RETURN_IF(state.orders_per_day == 0, FLOE_EINVAL, err,
                       "--orders-per-day: must be at least 1");
        const char *names[] = {customers_name, orders_name};
        FLOE_TRY(gen_check_absent(options->warehouse, names, 2, err));
    }
    orders_context context;
    context_init(&context, state.seed, state.customers, state.orders_per_day);

    char seed_text[32], customers_text[32], per_day_text[32];
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, state.seed);
    snprintf(customers_text, sizeof customers_text, "%" PRIu64, state.customers);
    snprintf(per_day_text, sizeof per_day_text, "%" PRIu64, state.orders_per_day);
    floe_ice_property properties[] = {{PROPERTY_SEED, seed_text},
                                      {PROPERTY_CUSTOMERS, customers_text},
                                      {PROPERTY_ORDERS_PER_DAY, per_day_text}};
    gen_result result;
    if (!parameters->append) {
        gen_table customers = {0};
        customers.name = customers_name;
        customers.columns = customer_columns;
        customers.column_count = COUNT_OF(customer_columns);
        customers.fill = fill_customer;
        customers.context = &context;
        customers.max_rows_per_unit = 1;
        customers.unit_count = state.customers;
        customers.units_per_file = state.rows_per_file;
        customers.properties = properties;
        customers.property_count = 2;
        gen_options customer_options = *options;
        customer_options.snapshot_per_file = false;
        FLOE_TRY(gen_write_table(&customer_options, &customers, &result, err));
        print_result(customers_name, &result);
    }
    gen_table orders = {0};
    orders.name = orders_name;
    orders.columns = order_columns;
    orders.column_count = COUNT_OF(order_columns);
    orders.fill = fill_order;
    orders.context = &context;
    orders.max_rows_per_unit = 1;
    orders.first_unit = first_order;
    orders.unit_count = state.rows;
    orders.units_per_file = state.rows_per_file;
    orders.properties = properties;
    orders.property_count = COUNT_OF(properties);
    gen_options order_options = *options;
    order_options.append = parameters->append;
    if (parameters->append) order_options.snapshot_per_file = false;
    int status = gen_write_table(&order_options, &orders, &result, err);
    if (status < 0) {
        if (!parameters->append) floe_error_prefix(err, "%s was committed", customers_name);
        return status;
    }
    print_result(orders_name, &result);
    return FLOE_OK;
}
