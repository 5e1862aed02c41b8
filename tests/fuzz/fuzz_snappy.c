/*
 * fuzz_snappy — arbitrary bytes as a raw Snappy block for io/snappy.c.
 *
 * The destination is sized by the block's own preamble (inputs announcing more than 1 MiB are
 * only length-checked) and allocated exactly, so ASan sees any write past it; the input is the
 * fuzzer's exact buffer, so any read past it is seen too. libsnappy decodes the same bytes: both
 * must accept or both reject, and when both accept the outputs must agree byte for byte.
 */
#include "io/snappy.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { LARGEST_OUTPUT = 1 << 20 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t announced = 0;
    floe_error err;
    int status = floe_io_snappy_uncompressed_length(data, size, &announced, &err);
    size_t reference_length = 0;
    int reference_ok =
        snappy_uncompressed_length((const char *)data, size, &reference_length) == SNAPPY_OK;
    if ((status == FLOE_OK) != reference_ok) abort();
    if (status != FLOE_OK) {
        if (status != FLOE_ECORRUPT) abort();
        return 0;
    }
    if (announced != reference_length) abort();
    if (announced > LARGEST_OUTPUT) return 0;

    unsigned char *ours = malloc(announced ? announced : 1);
    char *theirs = malloc(announced ? announced : 1);
    if (!ours || !theirs) abort();
    size_t written = 0;
    status = floe_io_snappy_decompress(announced ? ours : NULL, announced, data, size, &written,
                                       &err);
    size_t theirs_length = announced;
    reference_ok = snappy_uncompress((const char *)data, size, theirs, &theirs_length) == SNAPPY_OK;
    if (status != FLOE_OK && status != FLOE_ECORRUPT) abort();
    if ((status == FLOE_OK) != reference_ok) abort();
    if (status == FLOE_OK &&
        (written != announced || theirs_length != announced || memcmp(ours, theirs, announced) != 0))
        abort();
    /* A destination of the wrong size is always refused. */
    if (announced > 0 &&
        floe_io_snappy_decompress(ours, announced - 1, data, size, &written, NULL) != FLOE_ECORRUPT)
        abort();
    free(ours);
    free(theirs);
    return 0;
}
