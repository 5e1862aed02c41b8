/*
 * hash_avx2.c — XXH3-64 of 4- and 8-byte keys, four keys per step with AVX2.
 *
 * For a key of 4 to 8 bytes XXH3 (xxhash.h, XXH3_len_4to8_64b) computes, with s the seed:
 *   s'     = s ^ ((uint64)bswap32((uint32)s) << 32)
 *   keyed  = input64 ^ ((secret[8..16) ^ secret[16..24)) - s')
 *            input64 = rotate(v, 32) for 8-byte v; v32 | v32 << 32 for 4-byte v
 *   h      = keyed ^ rotl(keyed, 49) ^ rotl(keyed, 24);  h *= P;  h ^= (h >> 35) + len;
 *   h     *= P;  h ^= h >> 28            (P = 0x9FB21C651E98DF25, Pelle Evensen's rrmxmx)
 * Every step is a lane-wise 64-bit operation; AVX2 lacks only a 64x64-bit multiply, built here
 * from three _mm256_mul_epu32 (lo*lo + ((hi*lo + lo*hi) << 32)). With a per-row seed (combine
 * mode, hashes[] as seeds) s' is computed per lane too, so composite keys stay vectorized.
 * NULL rows are rare: a block with a NULL is computed as if it had none, then its NULL lanes are
 * overwritten with floe_k_hash_null. A selection gathers four rows' keys into a register,
 * hashes them together and scatters the results back.
 *
 * INT128 and string keys have no lane-parallel form worth having (XXH3's 16-byte path needs a
 * 64x64->128 multiply); their kernels here are the scalar loops compiled with -mavx2, which lets
 * XXH3 use its own AVX2 path for strings longer than 240 bytes. tests/kernels/test_hash.c checks
 * all of them against libxxhash's XXH3_64bits_withSeed.
 */
#define XXH_INLINE_ALL
#include <xxhash.h> /* XXH3_64bits_withSeed, XXH3_kSecret; built for AVX2 in this file */

#include "kernels/hash.h"

#include <immintrin.h> /* AVX2 */
#include <string.h>

static inline bool row_is_null(const uint64_t *validity, size_t row)
{
    return validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1);
}

static inline uint64_t secret_word(size_t offset)
{
    uint64_t word;
    memcpy(&word, XXH3_kSecret + offset, sizeof word);
    return word;
}

typedef struct mix_constants {
    __m256i prime_low, prime_high; /* P's 32-bit halves, one per 64-bit lane */
    __m256i secret;                /* secret[8..16) ^ secret[16..24) */
    __m256i length;                /* key length in bytes */
    __m256i seed_swap;             /* bytes of bswap32(low half) into the high half */
} mix_constants;

static void mix_constants_init(mix_constants *constants, uint64_t length)
{
    const uint64_t prime = 0x9FB21C651E98DF25ull;
    constants->prime_low = _mm256_set1_epi64x((long long)(prime & 0xffffffffu));
    constants->prime_high = _mm256_set1_epi64x((long long)(prime >> 32));
    constants->secret = _mm256_set1_epi64x((long long)(secret_word(8) ^ secret_word(16)));
    constants->length = _mm256_set1_epi64x((long long)length);
    constants->seed_swap = _mm256_setr_epi8(-128, -128, -128, -128, 3, 2, 1, 0,        /* lane 0 */
                                            -128, -128, -128, -128, 11, 10, 9, 8,      /* lane 1 */
                                            -128, -128, -128, -128, 3, 2, 1, 0,        /* lane 2 */
                                            -128, -128, -128, -128, 11, 10, 9, 8);     /* lane 3 */
}

static inline __m256i multiply_prime(__m256i x, const mix_constants *c)
{
    __m256i low = _mm256_mul_epu32(x, c->prime_low);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), c->prime_low),
                                     _mm256_mul_epu32(x, c->prime_high));
    return _mm256_add_epi64(low, _mm256_slli_epi64(cross, 32));
}

/* (secret ^ secret') - s' for four seeds. */
static inline __m256i bitflip_of(__m256i seeds, const mix_constants *c)
{
    __m256i mixed_seeds = _mm256_xor_si256(seeds, _mm256_shuffle_epi8(seeds, c->seed_swap));
    return _mm256_sub_epi64(c->secret, mixed_seeds);
}

static inline __m256i rrmxmx(__m256i h, const mix_constants *c)
{
    __m256i rotate49 = _mm256_or_si256(_mm256_slli_epi64(h, 49), _mm256_srli_epi64(h, 15));
    __m256i rotate24 = _mm256_or_si256(_mm256_slli_epi64(h, 24), _mm256_srli_epi64(h, 40));
    h = _mm256_xor_si256(h, _mm256_xor_si256(rotate49, rotate24));
    h = multiply_prime(h, c);
    h = _mm256_xor_si256(h, _mm256_add_epi64(_mm256_srli_epi64(h, 35), c->length));
    h = multiply_prime(h, c);
    return _mm256_xor_si256(h, _mm256_srli_epi64(h, 28));
}

static inline __m256i input_of_i64(__m256i values)
{
    return _mm256_shuffle_epi32(values, 0xB1); /* swap the 32-bit halves of each lane */
}

static inline __m256i input_of_i32(__m128i values)
{
    __m256i wide = _mm256_cvtepu32_epi64(values);
    return _mm256_or_si256(wide, _mm256_slli_epi64(wide, 32));
}

static inline uint64_t hash_i32_one(int32_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

static inline uint64_t hash_i64_one(int64_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

/* The loop every fixed-width AVX2 kernel shares; LOAD_DENSE(i) and LOAD_ROWS(r0..r3) give the
 * input64 of rows i..i+3 and of four selected rows, HASH_ONE the scalar hash for the tail. */
#define FLOE_HASH_AVX2_LOOP(key_length, LOAD_DENSE, LOAD_ROWS, HASH_ONE)                        \
    do {                                                                                       \
        mix_constants constants;                                                               \
        mix_constants_init(&constants, key_length);                                            \
        __m256i fixed_seeds = _mm256_set1_epi64x((long long)seed);                             \
        __m256i fixed_bitflip = bitflip_of(fixed_seeds, &constants);                           \
        size_t i = 0;                                                                          \
        if (selection == NULL) {                                                               \
            for (; i + 4 <= count; i += 4) {                                                   \
                __m256i seeds = combine ? _mm256_loadu_si256((const __m256i *)(hashes + i))    \
                                        : fixed_seeds;                                         \
                __m256i bitflip = combine ? bitflip_of(seeds, &constants) : fixed_bitflip;     \
                __m256i h = rrmxmx(_mm256_xor_si256(LOAD_DENSE(i), bitflip), &constants);      \
                unsigned present = validity == NULL                                            \
                                       ? 0xF                                                   \
                                       : (unsigned)(validity[i >> 6] >> (i & 63)) & 0xF;       \
                if (present != 0xF) {                                                          \
                    uint64_t lane_seeds[4];                                                    \
                    _mm256_storeu_si256((__m256i *)lane_seeds, seeds);                         \
                    _mm256_storeu_si256((__m256i *)(hashes + i), h);                           \
                    for (unsigned lane = 0; lane < 4; lane++)                                  \
                        if (!((present >> lane) & 1))                                          \
                            hashes[i + lane] = floe_k_hash_null(lane_seeds[lane]);             \
                } else {                                                                       \
                    _mm256_storeu_si256((__m256i *)(hashes + i), h);                           \
                }                                                                              \
            }                                                                                  \
        } else {                                                                               \
            for (; i + 4 <= count; i += 4) {                                                   \
                size_t r0 = selection[i], r1 = selection[i + 1];                               \
                size_t r2 = selection[i + 2], r3 = selection[i + 3];                           \
                __m256i seeds = combine ? _mm256_setr_epi64x((long long)hashes[r0],            \
                                                             (long long)hashes[r1],            \
                                                             (long long)hashes[r2],            \
                                                             (long long)hashes[r3])            \
                                        : fixed_seeds;                                         \
                __m256i bitflip = combine ? bitflip_of(seeds, &constants) : fixed_bitflip;     \
                __m256i h = rrmxmx(_mm256_xor_si256(LOAD_ROWS(r0, r1, r2, r3), bitflip),       \
                                   &constants);                                                \
                uint64_t lane_hashes[4], lane_seeds[4];                                        \
                _mm256_storeu_si256((__m256i *)lane_hashes, h);                                \
                _mm256_storeu_si256((__m256i *)lane_seeds, seeds);                             \
                size_t rows[4] = {r0, r1, r2, r3};                                             \
                for (unsigned lane = 0; lane < 4; lane++)                                      \
                    hashes[rows[lane]] = row_is_null(validity, rows[lane])                     \
                                             ? floe_k_hash_null(lane_seeds[lane])              \
                                             : lane_hashes[lane];                              \
            }                                                                                  \
        }                                                                                      \
        for (; i < count; i++) {                                                               \
            size_t row = selection != NULL ? selection[i] : i;                                 \
            uint64_t row_seed = combine ? hashes[row] : seed;                                  \
            hashes[row] = row_is_null(validity, row) ? floe_k_hash_null(row_seed)              \
                                                     : HASH_ONE(values[row], row_seed);        \
        }                                                                                      \
    } while (0)

#define LOAD_DENSE_I64(i) input_of_i64(_mm256_loadu_si256((const __m256i *)(values + (i))))
#define LOAD_ROWS_I64(r0, r1, r2, r3)                                                          \
    input_of_i64(_mm256_setr_epi64x(values[r0], values[r1], values[r2], values[r3]))
#define LOAD_DENSE_I32(i) input_of_i32(_mm_loadu_si128((const __m128i *)(values + (i))))
#define LOAD_ROWS_I32(r0, r1, r2, r3)                                                          \
    input_of_i32(_mm_setr_epi32(values[r0], values[r1], values[r2], values[r3]))

void floe_k_hash_i64_avx2(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                          const uint16_t *selection, size_t count, uint64_t seed, bool combine)
{
    FLOE_HASH_AVX2_LOOP(8, LOAD_DENSE_I64, LOAD_ROWS_I64, hash_i64_one);
}

void floe_k_hash_i32_avx2(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                          const uint16_t *selection, size_t count, uint64_t seed, bool combine)
{
    FLOE_HASH_AVX2_LOOP(4, LOAD_DENSE_I32, LOAD_ROWS_I32, hash_i32_one);
}

void floe_k_hash_i128_avx2(uint64_t *hashes, const floe_int128 *values, const uint64_t *validity,
                           const uint16_t *selection, size_t count, uint64_t seed, bool combine)
{
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        uint64_t row_seed = combine ? hashes[row] : seed;
        hashes[row] = row_is_null(validity, row)
                          ? floe_k_hash_null(row_seed)
                          : XXH3_64bits_withSeed(&values[row], sizeof values[row], row_seed);
    }
}

void floe_k_hash_string_avx2(uint64_t *hashes, const floe_string_ref *refs,
                             const unsigned char *heap, const uint64_t *validity,
                             const uint16_t *selection, size_t count, uint64_t seed,
                             bool combine)
{
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        uint64_t row_seed = combine ? hashes[row] : seed;
        floe_string_ref ref = refs[row];
        hashes[row] = row_is_null(validity, row)
                          ? floe_k_hash_null(row_seed)
                          : XXH3_64bits_withSeed(ref.length > 0 ? heap + ref.offset : NULL,
                                                 ref.length, row_seed);
    }
}
