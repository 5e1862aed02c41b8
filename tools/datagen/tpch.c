/*
 * tpch.c — `floe-datagen tpch`: the TPC-H tables region, nation, supplier, customer, orders and
 * lineitem (part and partsupp are not generated), shaped as dbgen shapes them (TPC-H
 * specification 2.x, clause 4.2.3), so the standard queries find what they expect:
 *
 *   table      rows             keys and values
 *   region     5                the five regions; r_comment text
 *   nation     25               the spec's 25 nations and their regions
 *   supplier   SF x 10,000      s_nationkey uniform; s_acctbal -999.99..9999.99
 *   customer   SF x 150,000     c_mktsegment uniform over five; phone prefix = nation + 10
 *   orders     SF x 1,500,000   o_orderkey sparse (8 of every 32 keys, as dbgen); o_custkey
 *                               uniform, never a multiple of 3 (a third of customers has no
 *                               orders); o_orderdate uniform in 1992-01-01..1998-08-02
 *   lineitem   ~ 4 x orders     1..7 lines per order; l_quantity 1..50; l_extendedprice =
 *                               quantity x the part's retail price (dbgen's formula);
 *                               l_discount 0.00..0.10; l_tax 0.00..0.08; ship 1..121 days,
 *                               commit 30..90 days after the order, receipt 1..30 days after
 *                               shipping; returnflag R/A when received by 1995-06-17, else N;
 *                               linestatus O when shipped after 1995-06-17, else F
 *
 * o_totalprice and o_orderstatus are derived from the order's lines as dbgen derives them.
 * l_suppkey is one of the four suppliers of the part (dbgen's partsupp formula), so a part
 * table, if added later, would join. Comments are sentences of dbgen's vocabulary truncated to
 * the spec's lengths; addresses are random alphanumeric strings; names are "Customer#000000042".
 * Keys are INT32 (integer, as the spec's identifiers and the planner's test catalog have them),
 * money DECIMAL(15,2), dates DATE, CHAR and VARCHAR columns STRING; every column is required.
 * INT32 keys bound the scale: o_orderkey reaches about 6M x SF, so SF is limited to 100.
 *
 * Randomness (datagen.h): one stream per table; an order's header (customer, date, priority,
 * clerk, line count) comes from the orders stream at its index, each line from the lines stream
 * at index x 8 + line, comments from streams of their own. So lineitem and orders are generated
 * independently yet agree, and each is the same whatever the file split.
 */
#include "datagen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum {
    TAG_REGION = 1, TAG_NATION, TAG_SUPPLIER, TAG_CUSTOMER, TAG_ORDER, TAG_ORDER_COMMENT,
    TAG_LINE, TAG_LINE_COMMENT,
    MAX_LINES = 7,
    MAX_TEXT = 128,
};

typedef struct tpch_context {
    uint64_t seed;
    uint64_t suppliers, customers, orders, parts, clerks;
    uint64_t region_stream, nation_stream, supplier_stream, customer_stream, order_stream,
        order_comment_stream, line_stream, line_comment_stream;
    int32_t start_date, current_date, last_order_date;
} tpch_context;

/* ---- vocabularies ---------------------------------------------------------------------------- */

static const char *const region_names[] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

static const char *const nation_names[] = {
    "ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT", "ETHIOPIA", "FRANCE", "GERMANY",
    "INDIA", "INDONESIA", "IRAN", "IRAQ", "JAPAN", "JORDAN", "KENYA", "MOROCCO", "MOZAMBIQUE",
    "PERU", "CHINA", "ROMANIA", "SAUDI ARABIA", "VIETNAM", "RUSSIA", "UNITED KINGDOM",
    "UNITED STATES"};
static const int32_t nation_regions[] = {0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2,
                                         4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1};

static const char *const segments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                       "HOUSEHOLD"};
static const char *const priorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                         "5-LOW"};
static const char *const order_statuses[] = {"F", "O", "P"};
static const char *const return_flags[] = {"A", "N", "R"};
static const char *const line_statuses[] = {"F", "O"};
static const char *const instructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                           "TAKE BACK RETURN"};
static const char *const ship_modes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

enum { FLAG_A = 0, FLAG_N = 1, FLAG_R = 2, STATUS_F = 0, STATUS_O = 1, STATUS_P = 2 };

#define COUNT_OF(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))

/* dbgen's text grammar words (clause 4.2.2.10). */
static const char *const nouns[] = {
    "foxes", "ideas", "theodolites", "pinto beans", "instructions", "dependencies", "excuses",
    "platelets", "asymptotes", "courts", "dolphins", "multipliers", "sauternes", "warthogs",
    "frets", "dinos", "attainments", "somas", "Tiresias", "patterns", "forges", "braids",
    "hockey players", "frays", "warhorses", "dugouts", "notornis", "epitaphs", "pearls",
    "tithes", "waters", "orbits", "gifts", "sheaves", "depths", "sentiments", "decoys",
    "realms", "pains", "grouches", "escapades", "packages", "requests", "accounts", "deposits"};
static const char *const verbs[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost", "affix", "detect",
    "integrate", "maintain", "nod", "was", "lose", "sublate", "solve", "thrash", "promise",
    "engage", "hinder", "print", "x-ray", "breach", "eat", "grow", "impress", "mold", "poach",
    "serve", "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang", "believe",
    "doubt"};
static const char *const adjectives[] = {
    "furious", "sly", "careful", "blithe", "quick", "fluffy", "slow", "quiet", "ruthless",
    "thin", "close", "dogged", "daring", "brave", "stealthy", "permanent", "enticing", "idle",
    "busy", "regular", "final", "ironic", "even", "bold", "silent", "special", "pending",
    "express", "unusual"};
static const char *const adverbs[] = {
    "sometimes", "always", "never", "furiously", "slyly", "carefully", "blithely", "quickly",
    "fluffily", "slowly", "quietly", "ruthlessly", "thinly", "closely", "doggedly", "daringly",
    "bravely", "stealthily", "permanently", "enticingly", "idly", "busily", "regularly",
    "finally", "ironically", "evenly", "boldly", "silently"};

static uint32_t append_word(char *out, uint32_t at, uint32_t max, const char *word)
{
    if (at > 0 && at < max) out[at++] = ' ';
    for (const char *c = word; *c != '\0' && at < max; c++) out[at++] = *c;
    return at;
}

/* Sentences "adverb adjective noun verb adverb." up to a length drawn in [min, max]. */
static uint32_t comment_text(gen_random *random, uint32_t min, uint32_t max, char *out)
{
    uint32_t length = (uint32_t)gen_between(random, min, max);
    uint32_t at = 0;
    while (at < length) {
        if (gen_below(random, 2))
            at = append_word(out, at, length, adverbs[gen_below(random, COUNT_OF(adverbs))]);
        at = append_word(out, at, length, adjectives[gen_below(random, COUNT_OF(adjectives))]);
        at = append_word(out, at, length, nouns[gen_below(random, COUNT_OF(nouns))]);
        at = append_word(out, at, length, verbs[gen_below(random, COUNT_OF(verbs))]);
        at = append_word(out, at, length, adverbs[gen_below(random, COUNT_OF(adverbs))]);
        if (at < length) out[at++] = '.';
    }
    return at;
}

/* dbgen's "v-string": random characters of an alphabet, length in [min, max]. */
static uint32_t address_text(gen_random *random, uint32_t min, uint32_t max, char *out)
{
    static const char alphabet[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,";
    uint32_t length = (uint32_t)gen_between(random, min, max);
    for (uint32_t i = 0; i < length; i++) out[i] = alphabet[gen_below(random, sizeof alphabet - 1)];
    return length;
}

static uint32_t phone_text(gen_random *random, int32_t nation, char *out)
{
    int first = (int)gen_between(random, 100, 999), second = (int)gen_between(random, 100, 999);
    int third = (int)gen_between(random, 1000, 9999);
    return (uint32_t)snprintf(out, 32, "%02d-%03d-%03d-%04d", (int)nation + 10, first, second,
                              third);
}

/* ---- batch helpers ------------------------------------------------------------------------ */

static inline void put_i32(floe_batch *batch, uint32_t column, uint32_t row, int32_t value)
{
    ((int32_t *)batch->columns[column].data)[row] = value;
}

static inline void put_i64(floe_batch *batch, uint32_t column, uint32_t row, int64_t value)
{
    ((int64_t *)batch->columns[column].data)[row] = value;
}

static inline void put_code(floe_batch *batch, uint32_t column, uint32_t row, uint32_t code)
{
    ((uint32_t *)batch->columns[column].data)[row] = code;
}

static inline int put_text(floe_batch *batch, uint32_t column, uint32_t row, const char *text,
                           uint32_t length, floe_error *err)
{
    return floe_vector_set_string(&batch->columns[column], row, text, length, err);
}

/* dbgen's names: "Customer#000000042". */
static int put_numbered(floe_batch *batch, uint32_t column, uint32_t row, const char *prefix,
                        int32_t number, floe_error *err)
{
    char text[48];
    int length = snprintf(text, sizeof text, "%s%09d", prefix, (int)number);
    return put_text(batch, column, row, text, (uint32_t)length, err);
}

/* ---- tables ------------------------------------------------------------------------------- */

#define INT32_COLUMN(name) {name, {FLOE_TYPE_INT32, 0, 0}, true, NULL, 0}
#define MONEY_COLUMN(name) {name, {FLOE_TYPE_DECIMAL, 15, 2}, true, NULL, 0}
#define DATE_COLUMN(name) {name, {FLOE_TYPE_DATE, 0, 0}, true, NULL, 0}
#define TEXT_COLUMN(name) {name, {FLOE_TYPE_STRING, 0, 0}, true, NULL, 0}
#define CATEGORY_COLUMN(name, values) \
    {name, {FLOE_TYPE_STRING, 0, 0}, true, values, COUNT_OF(values)}

static const gen_column region_columns[] = {
    INT32_COLUMN("r_regionkey"), CATEGORY_COLUMN("r_name", region_names), TEXT_COLUMN("r_comment")};

static int fill_region(const gen_table *table, uint64_t unit, floe_batch *batch, floe_error *err)
{
    const tpch_context *context = table->context;
    gen_random random = gen_random_at(context->region_stream, unit);
    uint32_t row = batch->row_count;
    char text[MAX_TEXT];
    put_i32(batch, 0, row, (int32_t)unit);
    put_code(batch, 1, row, (uint32_t)unit);
    FLOE_TRY(put_text(batch, 2, row, text, comment_text(&random, 31, 115, text), err));
    batch->row_count++;
    return FLOE_OK;
}

static const gen_column nation_columns[] = {
    INT32_COLUMN("n_nationkey"), CATEGORY_COLUMN("n_name", nation_names),
    INT32_COLUMN("n_regionkey"), TEXT_COLUMN("n_comment")};

static int fill_nation(const gen_table *table, uint64_t unit, floe_batch *batch, floe_error *err)
{
    const tpch_context *context = table->context;
    gen_random random = gen_random_at(context->nation_stream, unit);
    uint32_t row = batch->row_count;
    char text[MAX_TEXT];
    put_i32(batch, 0, row, (int32_t)unit);
    put_code(batch, 1, row, (uint32_t)unit);
    put_i32(batch, 2, row, nation_regions[unit]);
    FLOE_TRY(put_text(batch, 3, row, text, comment_text(&random, 31, 114, text), err));
    batch->row_count++;
    return FLOE_OK;
}

static const gen_column supplier_columns[] = {
    INT32_COLUMN("s_suppkey"), TEXT_COLUMN("s_name"),  TEXT_COLUMN("s_address"),
    INT32_COLUMN("s_nationkey"), TEXT_COLUMN("s_phone"), MONEY_COLUMN("s_acctbal"),
    TEXT_COLUMN("s_comment")};

static int fill_supplier(const gen_table *table, uint64_t unit, floe_batch *batch,
                         floe_error *err)
{
    const tpch_context *context = table->context;
    gen_random random = gen_random_at(context->supplier_stream, unit);
    uint32_t row = batch->row_count;
    char text[MAX_TEXT];
    int32_t key = (int32_t)unit + 1;
    put_i32(batch, 0, row, key);
    FLOE_TRY(put_numbered(batch, 1, row, "Supplier#", key, err));
    FLOE_TRY(put_text(batch, 2, row, text, address_text(&random, 10, 40, text), err));
    int32_t nation = (int32_t)gen_below(&random, COUNT_OF(nation_names));
    put_i32(batch, 3, row, nation);
    FLOE_TRY(put_text(batch, 4, row, text, phone_text(&random, nation, text), err));
    put_i64(batch, 5, row, gen_between(&random, -99999, 999999));
    FLOE_TRY(put_text(batch, 6, row, text, comment_text(&random, 25, 100, text), err));
    batch->row_count++;
    return FLOE_OK;
}

static const gen_column customer_columns[] = {
    INT32_COLUMN("c_custkey"),   TEXT_COLUMN("c_name"),  TEXT_COLUMN("c_address"),
    INT32_COLUMN("c_nationkey"), TEXT_COLUMN("c_phone"), MONEY_COLUMN("c_acctbal"),
    CATEGORY_COLUMN("c_mktsegment", segments), TEXT_COLUMN("c_comment")};

static int fill_customer(const gen_table *table, uint64_t unit, floe_batch *batch,
                         floe_error *err)
{
    const tpch_context *context = table->context;
    gen_random random = gen_random_at(context->customer_stream, unit);
    uint32_t row = batch->row_count;
    char text[MAX_TEXT];
    int32_t key = (int32_t)unit + 1;
    put_i32(batch, 0, row, key);
    FLOE_TRY(put_numbered(batch, 1, row, "Customer#", key, err));
    FLOE_TRY(put_text(batch, 2, row, text, address_text(&random, 10, 40, text), err));
    int32_t nation = (int32_t)gen_below(&random, COUNT_OF(nation_names));
    put_i32(batch, 3, row, nation);
    FLOE_TRY(put_text(batch, 4, row, text, phone_text(&random, nation, text), err));
    put_i64(batch, 5, row, gen_between(&random, -99999, 999999));
    put_code(batch, 6, row, (uint32_t)gen_below(&random, COUNT_OF(segments)));
    FLOE_TRY(put_text(batch, 7, row, text, comment_text(&random, 29, 116, text), err));
    batch->row_count++;
    return FLOE_OK;
}

/* ---- orders and their lines -------------------------------------------------------------- */

typedef struct tpch_line {
    int32_t partkey, suppkey;
    int64_t quantity, extended_price, discount, tax; /* unscaled DECIMAL(15,2) */
    int32_t ship_date, commit_date, receipt_date;
    uint32_t return_flag, line_status, instruction, ship_mode;
} tpch_line;

typedef struct tpch_order {
    int32_t orderkey, custkey, order_date, clerk;
    uint32_t priority, status;
    int64_t total_price;
    uint32_t line_count;
    tpch_line lines[MAX_LINES];
} tpch_order;

/* dbgen's sparse keys: of every 32 consecutive keys only the first 8 are used. */
static int32_t order_key(uint64_t index)
{
    return (int32_t)((index / 8) * 32 + index % 8 + 1);
}

/* p_retailprice in cents (dbgen: 90000 + ((key / 10) mod 20001) + 100 x (key mod 1000)). */
static int64_t retail_price(int32_t partkey)
{
    return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

static void make_order(const tpch_context *context, uint64_t index, tpch_order *order)
{
    gen_random random = gen_random_at(context->order_stream, index);
    order->orderkey = order_key(index);
    int64_t customer;
    do {
        customer = gen_between(&random, 1, (int64_t)context->customers);
    } while (customer % 3 == 0 && context->customers >= 3);
    order->custkey = (int32_t)customer;
    order->order_date =
        (int32_t)gen_between(&random, context->start_date, context->last_order_date);
    order->priority = (uint32_t)gen_below(&random, COUNT_OF(priorities));
    order->clerk = (int32_t)gen_between(&random, 1, (int64_t)context->clerks);
    order->line_count = (uint32_t)gen_between(&random, 1, MAX_LINES);
    order->total_price = 0;
    uint32_t shipped = 0;
    int64_t suppliers = (int64_t)context->suppliers;
    for (uint32_t j = 0; j < order->line_count; j++) {
        tpch_line *line = &order->lines[j];
        gen_random line_random = gen_random_at(context->line_stream, index * 8 + j);
        line->quantity = gen_between(&line_random, 1, 50) * 100;
        line->discount = gen_between(&line_random, 0, 10);
        line->tax = gen_between(&line_random, 0, 8);
        line->partkey = (int32_t)gen_between(&line_random, 1, (int64_t)context->parts);
        int64_t which = gen_between(&line_random, 0, 3);
        line->suppkey = (int32_t)((line->partkey +
                                   which * (suppliers / 4 + (line->partkey - 1) / suppliers)) %
                                      suppliers + 1);
        line->extended_price = line->quantity / 100 * retail_price(line->partkey);
        line->ship_date = order->order_date + (int32_t)gen_between(&line_random, 1, 121);
        line->commit_date = order->order_date + (int32_t)gen_between(&line_random, 30, 90);
        line->receipt_date = line->ship_date + (int32_t)gen_between(&line_random, 1, 30);
        bool returned = gen_below(&line_random, 2);
        line->return_flag = line->receipt_date <= context->current_date
                                ? (returned ? FLAG_R : FLAG_A) : FLAG_N;
        line->line_status = line->ship_date > context->current_date ? STATUS_O : STATUS_F;
        line->instruction = (uint32_t)gen_below(&line_random, COUNT_OF(instructions));
        line->ship_mode = (uint32_t)gen_below(&line_random, COUNT_OF(ship_modes));
        /* dbgen's o_totalprice: each line's price with discount then tax, truncated to cents. */
        order->total_price += line->extended_price * (100 - line->discount) / 100 *
                              (100 + line->tax) / 100;
        shipped += line->line_status == STATUS_F;
    }
    order->status = shipped == order->line_count ? STATUS_F : shipped == 0 ? STATUS_O : STATUS_P;
}

static const gen_column orders_columns[] = {
    INT32_COLUMN("o_orderkey"), INT32_COLUMN("o_custkey"),
    CATEGORY_COLUMN("o_orderstatus", order_statuses), MONEY_COLUMN("o_totalprice"),
    DATE_COLUMN("o_orderdate"), CATEGORY_COLUMN("o_orderpriority", priorities),
    TEXT_COLUMN("o_clerk"), INT32_COLUMN("o_shippriority"), TEXT_COLUMN("o_comment")};

static int fill_orders(const gen_table *table, uint64_t unit, floe_batch *batch, floe_error *err)
{
    const tpch_context *context = table->context;
    tpch_order order;
    make_order(context, unit, &order);
    uint32_t row = batch->row_count;
    char text[MAX_TEXT];
    put_i32(batch, 0, row, order.orderkey);
    put_i32(batch, 1, row, order.custkey);
    put_code(batch, 2, row, order.status);
    put_i64(batch, 3, row, order.total_price);
    put_i32(batch, 4, row, order.order_date);
    put_code(batch, 5, row, order.priority);
    FLOE_TRY(put_numbered(batch, 6, row, "Clerk#", order.clerk, err));
    put_i32(batch, 7, row, 0);
    gen_random random = gen_random_at(context->order_comment_stream, unit);
    FLOE_TRY(put_text(batch, 8, row, text, comment_text(&random, 19, 78, text), err));
    batch->row_count++;
    return FLOE_OK;
}

static const gen_column lineitem_columns[] = {
    INT32_COLUMN("l_orderkey"), INT32_COLUMN("l_partkey"), INT32_COLUMN("l_suppkey"),
    INT32_COLUMN("l_linenumber"), MONEY_COLUMN("l_quantity"), MONEY_COLUMN("l_extendedprice"),
    MONEY_COLUMN("l_discount"), MONEY_COLUMN("l_tax"),
    CATEGORY_COLUMN("l_returnflag", return_flags), CATEGORY_COLUMN("l_linestatus", line_statuses),
    DATE_COLUMN("l_shipdate"), DATE_COLUMN("l_commitdate"), DATE_COLUMN("l_receiptdate"),
    CATEGORY_COLUMN("l_shipinstruct", instructions), CATEGORY_COLUMN("l_shipmode", ship_modes),
    TEXT_COLUMN("l_comment")};

static int fill_lineitem(const gen_table *table, uint64_t unit, floe_batch *batch,
                         floe_error *err)
{
    const tpch_context *context = table->context;
    tpch_order order;
    make_order(context, unit, &order);
    char text[MAX_TEXT];
    for (uint32_t j = 0; j < order.line_count; j++) {
        const tpch_line *line = &order.lines[j];
        uint32_t row = batch->row_count;
        put_i32(batch, 0, row, order.orderkey);
        put_i32(batch, 1, row, line->partkey);
        put_i32(batch, 2, row, line->suppkey);
        put_i32(batch, 3, row, (int32_t)j + 1);
        put_i64(batch, 4, row, line->quantity);
        put_i64(batch, 5, row, line->extended_price);
        put_i64(batch, 6, row, line->discount);
        put_i64(batch, 7, row, line->tax);
        put_code(batch, 8, row, line->return_flag);
        put_code(batch, 9, row, line->line_status);
        put_i32(batch, 10, row, line->ship_date);
        put_i32(batch, 11, row, line->commit_date);
        put_i32(batch, 12, row, line->receipt_date);
        put_code(batch, 13, row, line->instruction);
        put_code(batch, 14, row, line->ship_mode);
        gen_random random = gen_random_at(context->line_comment_stream, unit * 8 + j);
        FLOE_TRY(put_text(batch, 15, row, text, comment_text(&random, 10, 43, text), err));
        batch->row_count++;
    }
    return FLOE_OK;
}

/* ---- the command -------------------------------------------------------------------------- */

static uint64_t scaled(double scale, double base)
{
    double rows = scale * base + 0.5;
    return rows < 1 ? 1 : (uint64_t)rows;
}

int gen_tpch(const gen_options *options, const gen_tpch_parameters *parameters, floe_error *err)
{
    FLOE_RETURN_IF(!(parameters->scale > 0 && parameters->scale <= 100), FLOE_EINVAL, err,
                   "--scale %g: must be in (0, 100] (keys are 32-bit integers)", parameters->scale);
    FLOE_RETURN_IF(parameters->rows_per_file < 8, FLOE_EINVAL, err,
                   "--rows-per-file %" PRIu64 ": must be at least 8", parameters->rows_per_file);
    tpch_context context = {0};
    context.seed = parameters->seed;
    context.suppliers = scaled(parameters->scale, 10000);
    context.customers = scaled(parameters->scale, 150000);
    context.orders = scaled(parameters->scale, 1500000);
    context.parts = scaled(parameters->scale, 200000);
    context.clerks = scaled(parameters->scale, 1000);
    context.region_stream = gen_stream(parameters->seed, TAG_REGION);
    context.nation_stream = gen_stream(parameters->seed, TAG_NATION);
    context.supplier_stream = gen_stream(parameters->seed, TAG_SUPPLIER);
    context.customer_stream = gen_stream(parameters->seed, TAG_CUSTOMER);
    context.order_stream = gen_stream(parameters->seed, TAG_ORDER);
    context.order_comment_stream = gen_stream(parameters->seed, TAG_ORDER_COMMENT);
    context.line_stream = gen_stream(parameters->seed, TAG_LINE);
    context.line_comment_stream = gen_stream(parameters->seed, TAG_LINE_COMMENT);
    context.start_date = gen_days_from_civil(1992, 1, 1);
    context.current_date = gen_days_from_civil(1995, 6, 17);
    context.last_order_date = gen_days_from_civil(1998, 12, 31) - 151;

    char provenance[160];
    snprintf(provenance, sizeof provenance, "floe-datagen tpch --scale %g --seed %" PRIu64,
             parameters->scale, parameters->seed);
    floe_ice_property properties[] = {{"floe-datagen.source", provenance}};
    uint64_t per_file = parameters->rows_per_file;
    struct {
        const char *name;
        const gen_column *columns;
        uint32_t column_count;
        gen_fill_fn fill;
        uint64_t units, units_per_file;
        uint32_t max_rows_per_unit;
    } tables[] = {
        {"region", region_columns, COUNT_OF(region_columns), fill_region, 5, 5, 1},
        {"nation", nation_columns, COUNT_OF(nation_columns), fill_nation, 25, 25, 1},
        {"supplier", supplier_columns, COUNT_OF(supplier_columns), fill_supplier,
         context.suppliers, per_file, 1},
        {"customer", customer_columns, COUNT_OF(customer_columns), fill_customer,
         context.customers, per_file, 1},
        {"orders", orders_columns, COUNT_OF(orders_columns), fill_orders, context.orders,
         per_file, 1},
        /* An order has 4 lines on average: files of about rows_per_file lines. */
        {"lineitem", lineitem_columns, COUNT_OF(lineitem_columns), fill_lineitem, context.orders,
         per_file / 4, MAX_LINES},
    };
    enum { TABLE_COUNT = sizeof tables / sizeof tables[0] };
    char names[TABLE_COUNT][160];
    const char *name_list[TABLE_COUNT];
    for (int i = 0; i < TABLE_COUNT; i++) {
        snprintf(names[i], sizeof names[i], "%s.%s", parameters->namespace_name, tables[i].name);
        name_list[i] = names[i];
    }
    FLOE_TRY(gen_check_absent(options->warehouse, name_list, TABLE_COUNT, err));
    for (int i = 0; i < TABLE_COUNT; i++) {
        gen_table table = {0};
        table.name = names[i];
        table.columns = tables[i].columns;
        table.column_count = tables[i].column_count;
        table.fill = tables[i].fill;
        table.context = &context;
        table.max_rows_per_unit = tables[i].max_rows_per_unit;
        table.first_unit = 0;
        table.unit_count = tables[i].units;
        table.units_per_file = tables[i].units_per_file;
        table.properties = properties;
        table.property_count = 1;
        gen_options table_options = *options;
        table_options.snapshot_per_file = false;
        table_options.append = false;
        gen_result result;
        int status = gen_write_table(&table_options, &table, &result, err);
        if (status < 0) {
            if (i > 0) floe_error_prefix(err, "tables before %s were committed", names[i]);
            return status;
        }
        printf("%s: %" PRIu64 " rows, %" PRIu64 " file%s, %" PRIu64 " bytes\n", names[i],
               result.rows, result.files, result.files == 1 ? "" : "s", result.bytes);
    }
    return FLOE_OK;
}
