/*
 * main.c — floe-datagen's command line: options in, a generator call (tpch.c, orders.c), one
 * line per table out.
 *
 * Exit status as floe-engine's: 0 success, 1 a user error (a table already exists, a missing
 * table to append to, a write failure), 2 bad usage (unknown option, a bad number). Errors are
 * one line on stderr: "floe-datagen: <command>: <message>".
 */
#define _XOPEN_SOURCE 700

#include "datagen.h"

#include "io/fs_util.h"      /* floe_io_make_directories */
#include "io/parquet_codec.h" /* floe_pq_codec */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_USER_ERROR = 1, EXIT_USAGE = 2, MAX_THREADS = 64 };

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: floe-datagen COMMAND [OPTIONS]\n"
            "\n"
            "Writes deterministic Iceberg tables (same --seed, same rows) into a warehouse.\n"
            "\n"
            "commands:\n"
            "  tpch    --scale SF [--namespace tpch]\n"
            "          TPC-H region, nation, supplier, customer, orders, lineitem\n"
            "          (SF 0.01: 15,000 orders, about 60,000 lineitems; SF at most 100)\n"
            "  orders  --rows N --customers M [--orders-per-day N] [--namespace bronze]\n"
            "          [--one-snapshot]\n"
            "          bronze.customers (M rows, one snapshot) and bronze.orders (N rows, one\n"
            "          append snapshot per file unless --one-snapshot; 150000 orders per day)\n"
            "  orders  --append N [--namespace bronze]\n"
            "          N more orders in one new snapshot, continuing ids, time and the seed\n"
            "\n"
            "options:\n"
            "  --warehouse DIR      the lake (default: $FLOE_WAREHOUSE, else ./lake)\n"
            "  --seed N             default 1\n"
            "  --rows-per-file N    rows per data file (default 1000000)\n"
            "  --threads N          files written at once (default: CPUs online, at most 16)\n"
            "  --codec C            zstd (default), snappy or uncompressed\n"
            "  -h, --help           this text\n"
            "Counts take k, M or G suffixes (x1000): --rows 50M.\n"
            "\n"
            "exit status: 0 success, 1 error (table exists, write failed), 2 bad usage\n");
}

static int usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *command, const char *format, ...)
{
    fprintf(stderr, "floe-datagen: %s: ", command);
    va_list list;
    va_start(list, format);
    vfprintf(stderr, format, list);
    va_end(list);
    fprintf(stderr, "\n(see floe-datagen --help)\n");
    return EXIT_USAGE;
}

/* A count with an optional k/M/G suffix. */
static int parse_count(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (text[0] == '-' || text[0] == '\0') return -1;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text) return -1;
    uint64_t multiplier = 1;
    if (*end == 'k' || *end == 'K') multiplier = 1000, end++;
    else if (*end == 'M') multiplier = 1000000, end++;
    else if (*end == 'G') multiplier = 1000000000, end++;
    if (*end != '\0' || value > UINT64_MAX / multiplier) return -1;
    *out = value * multiplier;
    return 0;
}

static int parse_scale(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0') return -1;
    *out = value;
    return 0;
}

typedef struct arguments {
    const char *command;
    const char *warehouse;
    const char *namespace_name;
    const char *codec;
    uint64_t seed, rows, customers, append_rows, rows_per_file, orders_per_day, threads;
    double scale;
    bool seed_given, rows_given, customers_given, append_given, scale_given,
        orders_per_day_given, one_snapshot;
} arguments;

/* Parses argv into *out; returns 0, or the exit status after printing why. */
static int parse_arguments(int argc, char **argv, arguments *out)
{
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];
        const char *command = out->command ? out->command : "floe-datagen";
        if (strcmp(option, "-h") == 0 || strcmp(option, "--help") == 0) {
            print_help(stdout);
            exit(0);
        }
        if (option[0] != '-') {
            if (out->command != NULL)
                return usage_error(command, "unexpected argument '%s'", option);
            out->command = option;
            continue;
        }
        if (strcmp(option, "--one-snapshot") == 0) {
            out->one_snapshot = true;
            continue;
        }
        if (i + 1 >= argc) return usage_error(command, "%s needs a value", option);
        const char *value = argv[++i];
        uint64_t number = 0;
        bool is_count = strcmp(option, "--seed") == 0 || strcmp(option, "--rows") == 0 ||
                        strcmp(option, "--customers") == 0 || strcmp(option, "--append") == 0 ||
                        strcmp(option, "--rows-per-file") == 0 ||
                        strcmp(option, "--orders-per-day") == 0 ||
                        strcmp(option, "--threads") == 0;
        if (is_count && parse_count(value, &number) != 0) {
            fprintf(stderr, "floe-datagen: %s: %s: '%s' is not a count\n", command, option, value);
            return EXIT_USAGE;
        }
        if (strcmp(option, "--warehouse") == 0) out->warehouse = value;
        else if (strcmp(option, "--namespace") == 0) out->namespace_name = value;
        else if (strcmp(option, "--codec") == 0) out->codec = value;
        else if (strcmp(option, "--seed") == 0) out->seed = number, out->seed_given = true;
        else if (strcmp(option, "--rows") == 0) out->rows = number, out->rows_given = true;
        else if (strcmp(option, "--customers") == 0)
            out->customers = number, out->customers_given = true;
        else if (strcmp(option, "--append") == 0)
            out->append_rows = number, out->append_given = true;
        else if (strcmp(option, "--rows-per-file") == 0) out->rows_per_file = number;
        else if (strcmp(option, "--orders-per-day") == 0)
            out->orders_per_day = number, out->orders_per_day_given = true;
        else if (strcmp(option, "--threads") == 0) out->threads = number;
        else if (strcmp(option, "--scale") == 0) {
            if (parse_scale(value, &out->scale) != 0)
                return usage_error(command, "--scale: '%s' is not a number", value);
            out->scale_given = true;
        } else {
            return usage_error(command, "unknown option '%s'", option);
        }
    }
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
    arguments args = {0};
    args.seed = 1;
    args.rows_per_file = 1000000;
    args.orders_per_day = 150000;
    int parsed = parse_arguments(argc, argv, &args);
    if (parsed != 0) return parsed;
    if (args.command == NULL) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *command = args.command;
    bool is_tpch = strcmp(command, "tpch") == 0, is_orders = strcmp(command, "orders") == 0;
    if (!is_tpch && !is_orders) return usage_error(command, "unknown command");

    gen_options options = {0};
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (args.threads > 0)
        options.threads = (int)(args.threads > MAX_THREADS ? MAX_THREADS : args.threads);
    else
        options.threads = (int)(online < 1 ? 1 : online > 16 ? 16 : online);
    options.snapshot_per_file = !args.one_snapshot;
    options.progress = isatty(STDERR_FILENO);
    options.codec = FLOE_PQ_CODEC_ZSTD;
    if (args.codec != NULL) {
        if (strcmp(args.codec, "zstd") == 0) options.codec = FLOE_PQ_CODEC_ZSTD;
        else if (strcmp(args.codec, "snappy") == 0) options.codec = FLOE_PQ_CODEC_SNAPPY;
        else if (strcmp(args.codec, "uncompressed") == 0)
            options.codec = FLOE_PQ_CODEC_UNCOMPRESSED;
        else
            return usage_error(command, "--codec: '%s' is not zstd, snappy or uncompressed",
                               args.codec);
    }
    if (is_tpch) {
        if (!args.scale_given) return usage_error(command, "needs --scale SF");
        if (args.rows_given || args.customers_given || args.append_given || args.one_snapshot ||
            args.orders_per_day_given)
            return usage_error(command, "--rows, --customers, --append, --orders-per-day and "
                                        "--one-snapshot belong to the orders command");
    } else {
        if (args.scale_given) return usage_error(command, "--scale belongs to the tpch command");
        if (args.append_given == args.rows_given)
            return usage_error(command, "needs either --rows N (with --customers M) or --append N");
        if (args.rows_given && !args.customers_given)
            return usage_error(command, "--rows needs --customers M");
    }

    const char *warehouse = args.warehouse;
    if (warehouse == NULL) warehouse = getenv("FLOE_WAREHOUSE");
    if (warehouse == NULL || warehouse[0] == '\0') warehouse = "./lake";
    floe_error err;
    floe_error_clear(&err);
    char absolute[PATH_MAX];
    int status = floe_io_make_directories(warehouse, &err);
    if (status == FLOE_OK && realpath(warehouse, absolute) == NULL)
        status = floe_error_set(&err, -errno, "%s: %s", warehouse, strerror(errno));
    options.warehouse = absolute;

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (status == FLOE_OK && is_tpch) {
        gen_tpch_parameters parameters = {args.scale,
                                          args.namespace_name ? args.namespace_name : "tpch",
                                          args.seed, args.rows_per_file};
        status = gen_tpch(&options, &parameters, &err);
    } else if (status == FLOE_OK) {
        gen_orders_parameters parameters = {0};
        parameters.namespace_name = args.namespace_name ? args.namespace_name : "bronze";
        parameters.seed = args.seed;
        parameters.rows = args.append_given ? args.append_rows : args.rows;
        parameters.customers = args.customers;
        parameters.rows_per_file = args.rows_per_file;
        parameters.orders_per_day = args.orders_per_day;
        parameters.append = args.append_given;
        parameters.seed_given = args.seed_given;
        parameters.customers_given = args.customers_given;
        parameters.orders_per_day_given = args.orders_per_day_given;
        status = gen_orders(&options, &parameters, &err);
    }
    if (status < 0) {
        fprintf(stderr, "floe-datagen: %s: %s\n", command,
                err.message[0] != '\0' ? err.message : floe_status_name(status));
        return status == FLOE_EINVAL ? EXIT_USAGE : EXIT_USER_ERROR;
    }
    printf("done in %.1f s\n", seconds_since(&start));
    if (fflush(stdout) != 0) {
        fprintf(stderr, "floe-datagen: %s: writing output failed\n", command);
        return EXIT_USER_ERROR;
    }
    return 0;
}
