// The two products of attention for a few queries over the rows of a KV cache (a decoding step): the scores of each
// query against every key row, and the probability-weighted sum of the value rows. Rows are float32 or IEEE binary16
// (a float16 cache), read in place and widened in registers; AVX2 + FMA + F16C at PTK_AVX2 and above, plain C on
// any other CPU.
#include "ptk_formats.h"

/// Element `d` of a row of float32 (`half` = 0) or binary16 values.
static inline float row_value(const void *row, int half, size_t d) {
    if (half) return ptk_half((const uint8_t *)row + 2 * d);
    float v;
    memcpy(&v, (const float *)row + d, 4);
    return v;
}

static void scores_portable(const float *q, size_t q_stride, size_t nq, const void *k, int half, size_t k_stride,
                            size_t n, size_t hd, float *s, size_t ld) {
    const size_t bytes = half ? 2 : 4;
    for (size_t c = 0; c < n; c++) {
        const void *row = (const uint8_t *)k + c * k_stride * bytes;
        for (size_t j = 0; j < nq; j++) {
            float acc = 0;
            for (size_t d = 0; d < hd; d++) acc += q[j * q_stride + d] * row_value(row, half, d);
            s[j * ld + c] = acc;
        }
    }
}

static void values_portable(const float *p, size_t ld, size_t nq, const void *v, int half, size_t v_stride, size_t n,
                            size_t hd, float *o, size_t o_stride) {
    const size_t bytes = half ? 2 : 4;
    for (size_t c = 0; c < n; c++) {
        const void *row = (const uint8_t *)v + c * v_stride * bytes;
        for (size_t j = 0; j < nq; j++) {
            const float w = p[j * ld + c];
            for (size_t d = 0; d < hd; d++) o[j * o_stride + d] += w * row_value(row, half, d);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

/// Eight elements of a row from `d`, widened to floats.
static inline __attribute__((always_inline)) __m256 load8(const void *row, int half, size_t d) {
    if (half) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + d)));
    return _mm256_loadu_ps((const float *)row + d);
}

static inline __attribute__((always_inline)) float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Up to four queries (NQ) against one key row: each key chunk is loaded once for all of them.
static inline __attribute__((always_inline)) void scores_row(const float *const qs[4], const int NQ, const void *row,
                                                            int half, size_t hd, float out[4]) {
    __m256 acc[4];
    for (int j = 0; j < NQ; j++) acc[j] = _mm256_setzero_ps();
    size_t d = 0;
    for (; d + 8 <= hd; d += 8) {
        __m256 kv = load8(row, half, d);
        for (int j = 0; j < NQ; j++) acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qs[j] + d), kv, acc[j]);
    }
    for (int j = 0; j < NQ; j++) {
        float t = hsum8(acc[j]);
        for (size_t e = d; e < hd; e++) t += qs[j][e] * row_value(row, half, e);
        out[j] = t;
    }
}

static void scores_avx2(const float *q, size_t q_stride, size_t nq, const void *k, int half, size_t k_stride,
                        size_t n, size_t hd, float *s, size_t ld) {
    const size_t bytes = half ? 2 : 4;
    for (size_t j0 = 0; j0 < nq; j0 += 4) {
        const size_t m = nq - j0 < 4 ? nq - j0 : 4;
        const float *qs[4];
        for (size_t j = 0; j < 4; j++) qs[j] = q + (j0 + (j < m ? j : 0)) * q_stride;
        for (size_t c = 0; c < n; c++) {
            const void *row = (const uint8_t *)k + c * k_stride * bytes;
            float out[4];
            switch (m) {
            case 1: scores_row(qs, 1, row, half, hd, out); break;
            case 2: scores_row(qs, 2, row, half, hd, out); break;
            case 3: scores_row(qs, 3, row, half, hd, out); break;
            default: scores_row(qs, 4, row, half, hd, out); break;
            }
            for (size_t j = 0; j < m; j++) s[(j0 + j) * ld + c] = out[j];
        }
    }
}

/// Eight output columns from `d` of up to four queries (NQ): Σ_c p_j[c]·v_c[d…d+7] added to o_j, running down the
/// value rows with the sums in registers.
static inline __attribute__((always_inline)) void values_columns(const float *const ps[4], const int NQ,
                                                                const void *v, int half, size_t v_stride, size_t n,
                                                                size_t d, float *const os[4]) {
    const size_t bytes = half ? 2 : 4;
    __m256 acc[4];
    for (int j = 0; j < NQ; j++) acc[j] = _mm256_loadu_ps(os[j] + d);
    for (size_t c = 0; c < n; c++) {
        __m256 x = load8((const uint8_t *)v + c * v_stride * bytes, half, d);
        for (int j = 0; j < NQ; j++) acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(ps[j][c]), x, acc[j]);
    }
    for (int j = 0; j < NQ; j++) _mm256_storeu_ps(os[j] + d, acc[j]);
}

static void values_avx2(const float *p, size_t ld, size_t nq, const void *v, int half, size_t v_stride, size_t n,
                        size_t hd, float *o, size_t o_stride) {
    const size_t bytes = half ? 2 : 4;
    for (size_t j0 = 0; j0 < nq; j0 += 4) {
        const size_t m = nq - j0 < 4 ? nq - j0 : 4;
        const float *ps[4];
        float *os[4];
        for (size_t j = 0; j < 4; j++) {
            const size_t r = j0 + (j < m ? j : 0);
            ps[j] = p + r * ld;
            os[j] = o + r * o_stride;
        }
        size_t d = 0;
        for (; d + 8 <= hd; d += 8) {
            switch (m) {
            case 1: values_columns(ps, 1, v, half, v_stride, n, d, os); break;
            case 2: values_columns(ps, 2, v, half, v_stride, n, d, os); break;
            case 3: values_columns(ps, 3, v, half, v_stride, n, d, os); break;
            default: values_columns(ps, 4, v, half, v_stride, n, d, os); break;
            }
        }
        if (d < hd) {
            for (size_t c = 0; c < n; c++) {
                const void *row = (const uint8_t *)v + c * v_stride * bytes;
                for (size_t j = 0; j < m; j++)
                    for (size_t e = d; e < hd; e++) os[j][e] += ps[j][c] * row_value(row, half, e);
            }
        }
    }
}

#pragma clang attribute pop
#endif

void ptk_attention_scores(int level, const float *q, size_t q_stride, size_t nq, const void *k, int half,
                          size_t k_stride, size_t n, size_t hd, float *s, size_t ld) {
#if defined(__x86_64__)
    if (level >= PTK_AVX2) { scores_avx2(q, q_stride, nq, k, half, k_stride, n, hd, s, ld); return; }
#endif
    scores_portable(q, q_stride, nq, k, half, k_stride, n, hd, s, ld);
}

void ptk_attention_values(int level, const float *p, size_t ld, size_t nq, const void *v, int half, size_t v_stride,
                          size_t n, size_t hd, float *o, size_t o_stride) {
#if defined(__x86_64__)
    if (level >= PTK_AVX2) { values_avx2(p, ld, nq, v, half, v_stride, n, hd, o, o_stride); return; }
#endif
    values_portable(p, ld, nq, v, half, v_stride, n, hd, o, o_stride);
}
