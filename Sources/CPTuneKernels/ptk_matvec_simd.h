// The matrix-vector kernels on 256-bit vectors, written once and compiled per instruction set by the file that
// includes this one: PTK_SUFFIX names the variant, PTK_DOT(u, q) is the dot product of 32 unsigned bytes with 32
// signed bytes into eight int32 lanes (lane k sums bytes 4k…4k+3). Each weight unit is unpacked once and multiplied
// with up to four activation rows, so one pass over the weights serves four rows of a batch.
#ifndef PTK_SUFFIX
#error "define PTK_SUFFIX and PTK_DOT before including ptk_matvec_simd.h"
#endif

#include <immintrin.h>
#include "ptk_formats.h"

#define PTK_CAT2(a, b) a##b
#define PTK_CAT(a, b) PTK_CAT2(a, b)
#define PTK_NAME(n) PTK_CAT(n, PTK_SUFFIX)

/// Byte i of the result is 0xFF when bit i of the 32 bits at `p` is set.
static inline __attribute__((always_inline)) __m256i PTK_NAME(bits_to_bytes_)(const uint8_t *p) {
    uint32_t x;
    memcpy(&x, p, 4);
    const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                            2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x), spread);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
}

/// The 32 nibbles of 16 bytes: low nibbles first, then high nibbles.
static inline __attribute__((always_inline)) __m256i PTK_NAME(nibbles_)(const uint8_t *p) {
    __m128i b = _mm_loadu_si128((const __m128i *)p);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(b, 4), b), _mm256_set1_epi8(0x0F));
}

/// Bits `shift`… of each of 32 bytes at `p`, masked with `mask`.
static inline __attribute__((always_inline)) __m256i PTK_NAME(field_)(const uint8_t *p, int shift, int mask) {
    __m256i v = _mm256_loadu_si256((const __m256i *)p);
    return _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(shift)), _mm256_set1_epi8((char)mask));
}

/// The codes of unit `u` of block `b` as 32 bytes (see ptk_unit_codes).
static inline __attribute__((always_inline)) __m256i PTK_NAME(codes_)(int format, const uint8_t *b, int u) {
    switch (format) {
    case PTK_Q4_0: return PTK_NAME(nibbles_)(b + 2);
    case PTK_Q4_1: return PTK_NAME(nibbles_)(b + 4);
    case PTK_Q5_0: case PTK_Q5_1: {
        const uint8_t *qh = b + (format == PTK_Q5_0 ? 2 : 4);
        __m256i high = _mm256_and_si256(PTK_NAME(bits_to_bytes_)(qh), _mm256_set1_epi8(0x10));
        return _mm256_or_si256(PTK_NAME(nibbles_)(qh + 4), high);
    }
    case PTK_Q8_0: return _mm256_loadu_si256((const __m256i *)(b + 2));
    case PTK_Q2_K: return PTK_NAME(field_)(b + 16 + 32 * (u / 4), 2 * (u % 4), 3);
    case PTK_Q3_K: {
        __m256i low = PTK_NAME(field_)(b + 32 + 32 * (u / 4), 2 * (u % 4), 3);
        __m256i high = _mm256_slli_epi16(PTK_NAME(field_)(b, 4 * (u / 4) + u % 4, 1), 2);
        return _mm256_or_si256(low, high);
    }
    case PTK_Q4_K: return PTK_NAME(field_)(b + 16 + 32 * (u / 2), 4 * (u & 1), 0x0F);
    case PTK_Q5_K: {
        __m256i high = _mm256_slli_epi16(PTK_NAME(field_)(b + 16, u, 1), 4);
        return _mm256_or_si256(PTK_NAME(field_)(b + 48 + 32 * (u / 2), 4 * (u & 1), 0x0F), high);
    }
    case PTK_Q6_K: {
        int h = u / 4, k = u % 4;
        __m256i low = PTK_NAME(field_)(b + 64 * h + 32 * (k % 2), k < 2 ? 0 : 4, 0x0F);
        __m256i high = _mm256_slli_epi16(PTK_NAME(field_)(b + 128 + 32 * h, 2 * k, 3), 4);
        return _mm256_or_si256(low, high);
    }
    default: return _mm256_setzero_si256();
    }
}

static inline __attribute__((always_inline)) float PTK_NAME(hsum_)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// The exact float of the binary16 at `p`, by F16C.
static inline __attribute__((always_inline)) float PTK_NAME(half_)(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/// Adds unit `u` of the block at `blk` (activation block `at`, scales A, B) times NX activation rows to `acc`, and
/// its additive term to `shifted`.
static inline __attribute__((always_inline)) void PTK_NAME(unit_)(int format, const uint8_t *blk, int u, size_t at,
                                                                  const float A[2], const float B[2],
                                                                  const ptk_q8_block *const xs[4], const int NX,
                                                                  __m256 acc[4], __m256 shifted[4]) {
    const int signed_codes = format == PTK_Q8_0, additive = format != PTK_Q8_0;
    // Formats with one scale per 32 elements broadcast it; the others have one per 16.
    const int uniform = ptk_units(format) == 1 || format == PTK_Q4_K || format == PTK_Q5_K;
    __m256i w = PTK_NAME(codes_)(format, blk, u);
    __m256i magnitude = signed_codes ? _mm256_abs_epi8(w) : w;
    __m256 scale = uniform ? _mm256_set1_ps(A[0]) : _mm256_set_m128(_mm_set1_ps(A[1]), _mm_set1_ps(A[0]));
    __m256 shift = uniform ? _mm256_set1_ps(B[0]) : _mm256_set_m128(_mm_set1_ps(B[1]), _mm_set1_ps(B[0]));
    for (int j = 0; j < NX; j++) {
        const ptk_q8_block *x = xs[j] + at;
        __m256i q = _mm256_loadu_si256((const __m256i *)x->q);
        if (signed_codes) q = _mm256_sign_epi8(q, w);
        __m256i p = PTK_DOT(magnitude, q);
        __m256 scaled = uniform ? _mm256_set1_ps(A[0] * x->d) : _mm256_mul_ps(scale, _mm256_set1_ps(x->d));
        acc[j] = _mm256_fmadd_ps(scaled, _mm256_cvtepi32_ps(p), acc[j]);
        if (additive) shifted[j] = _mm256_fmadd_ps(shift, _mm256_loadu_ps(x->sums), shifted[j]);
    }
}

/// One weight row against NX activation rows (NX ≤ 4, a constant at each call so the loops unroll). Per unit and
/// row: the byte dot product scaled by A·d_a, plus B times the activation's lane sums. Consecutive units go to two
/// sets of accumulators (blocks in pairs for 32-element blocks, the units of a super-block alternately), so the
/// multiply-adds do not wait for each other.
static inline __attribute__((always_inline)) void PTK_NAME(row_)(int format, const uint8_t *row, size_t blocks,
                                                                 const ptk_q8_block *const xs[4], const int NX,
                                                                 float out[4]) {
    const size_t size = ptk_block_bytes(format);
    __m256 acc0[4], acc1[4], shifted0[4], shifted1[4];
    for (int j = 0; j < NX; j++) acc0[j] = acc1[j] = shifted0[j] = shifted1[j] = _mm256_setzero_ps();
    if (ptk_units(format) == 1) {
        size_t b = 0;
        for (; b + 2 <= blocks; b += 2) {
            float A0[2], B0[2], A1[2], B1[2];
            ptk_unit_scales(format, row + b * size, 0, A0, B0, PTK_NAME(half_));
            ptk_unit_scales(format, row + (b + 1) * size, 0, A1, B1, PTK_NAME(half_));
            PTK_NAME(unit_)(format, row + b * size, 0, b, A0, B0, xs, NX, acc0, shifted0);
            PTK_NAME(unit_)(format, row + (b + 1) * size, 0, b + 1, A1, B1, xs, NX, acc1, shifted1);
        }
        if (b < blocks) {
            float A0[2], B0[2];
            ptk_unit_scales(format, row + b * size, 0, A0, B0, PTK_NAME(half_));
            PTK_NAME(unit_)(format, row + b * size, 0, b, A0, B0, xs, NX, acc0, shifted0);
        }
    } else {
        for (size_t b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * size;
            float A[8][2], B[8][2];
            for (int u = 0; u < 8; u++) ptk_unit_scales(format, blk, u, A[u], B[u], PTK_NAME(half_));
            for (int u = 0; u < 8; u += 2) {
                PTK_NAME(unit_)(format, blk, u, 8 * b + u, A[u], B[u], xs, NX, acc0, shifted0);
                PTK_NAME(unit_)(format, blk, u + 1, 8 * b + u + 1, A[u + 1], B[u + 1], xs, NX, acc1, shifted1);
            }
        }
    }
    for (int j = 0; j < NX; j++)
        out[j] = PTK_NAME(hsum_)(_mm256_add_ps(_mm256_add_ps(acc0[j], acc1[j]), _mm256_add_ps(shifted0[j], shifted1[j])));
}

/// Adds unit `u` of the block at `blk` (activation elements 32·at…, scales A, B) times NX float activation rows to
/// `acc`, and its additive term (B times the rows' four-element sums `lanes`) to `shifted`.
static inline __attribute__((always_inline)) void PTK_NAME(float_unit_)(int format, const uint8_t *blk, int u, size_t at,
                                                                        const float A[2], const float B[2],
                                                                        const float *const xs[4],
                                                                        const float *const lanes[4], const int NX,
                                                                        __m256 acc[4], __m256 shifted[4]) {
    const int signed_codes = format == PTK_Q8_0, additive = format != PTK_Q8_0;
    const int uniform = ptk_units(format) == 1 || format == PTK_Q4_K || format == PTK_Q5_K;
    __m256 c0, c1, c2, c3;
    if (format == PTK_Q4_0 || format == PTK_Q4_1) {
        // Bytes widened to 32-bit lanes straight from memory; low nibbles are elements 0–15, high nibbles 16–31.
        const uint8_t *qs = blk + (format == PTK_Q4_0 ? 2 : 4);
        const __m256i v0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)qs));
        const __m256i v1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 8)));
        const __m256i nibble = _mm256_set1_epi32(0x0F);
        c0 = _mm256_cvtepi32_ps(_mm256_and_si256(v0, nibble));
        c1 = _mm256_cvtepi32_ps(_mm256_and_si256(v1, nibble));
        c2 = _mm256_cvtepi32_ps(_mm256_srli_epi32(v0, 4));
        c3 = _mm256_cvtepi32_ps(_mm256_srli_epi32(v1, 4));
    } else {
        __m256i w = PTK_NAME(codes_)(format, blk, u);
        __m128i lo = _mm256_castsi256_si128(w), hi = _mm256_extracti128_si256(w, 1);
        if (signed_codes) {
            c0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo));
            c1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
            c2 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi));
            c3 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
        } else {
            c0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo));
            c1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)));
            c2 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi));
            c3 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)));
        }
    }
    __m256 shift = uniform ? _mm256_set1_ps(B[0]) : _mm256_set_m128(_mm_set1_ps(B[1]), _mm_set1_ps(B[0]));
    for (int j = 0; j < NX; j++) {
        const float *x = xs[j] + 32 * at;
        __m256 s0 = _mm256_fmadd_ps(c1, _mm256_loadu_ps(x + 8), _mm256_mul_ps(c0, _mm256_loadu_ps(x)));
        __m256 s1 = _mm256_fmadd_ps(c3, _mm256_loadu_ps(x + 24), _mm256_mul_ps(c2, _mm256_loadu_ps(x + 16)));
        if (uniform) {
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(A[0]), _mm256_add_ps(s0, s1), acc[j]);
        } else {
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(A[0]), s0, acc[j]);
            acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(A[1]), s1, acc[j]);
        }
        if (additive) shifted[j] = _mm256_fmadd_ps(shift, _mm256_loadu_ps(lanes[j] + 8 * at), shifted[j]);
    }
}

/// One quantized weight row against NX float activation rows: the same walk as the 8-bit kernel, each unit's codes
/// widened to floats once and multiplied with every row.
static inline __attribute__((always_inline)) void PTK_NAME(float_act_row_)(int format, const uint8_t *row, size_t blocks,
                                                                           const float *const xs[4],
                                                                           const float *const lanes[4], const int NX,
                                                                           float out[4]) {
    const size_t size = ptk_block_bytes(format);
    __m256 acc0[4], acc1[4], shifted0[4], shifted1[4];
    for (int j = 0; j < NX; j++) acc0[j] = acc1[j] = shifted0[j] = shifted1[j] = _mm256_setzero_ps();
    if (ptk_units(format) == 1) {
        size_t b = 0;
        for (; b + 2 <= blocks; b += 2) {
            float A0[2], B0[2], A1[2], B1[2];
            ptk_unit_scales(format, row + b * size, 0, A0, B0, PTK_NAME(half_));
            ptk_unit_scales(format, row + (b + 1) * size, 0, A1, B1, PTK_NAME(half_));
            PTK_NAME(float_unit_)(format, row + b * size, 0, b, A0, B0, xs, lanes, NX, acc0, shifted0);
            PTK_NAME(float_unit_)(format, row + (b + 1) * size, 0, b + 1, A1, B1, xs, lanes, NX, acc1, shifted1);
        }
        if (b < blocks) {
            float A0[2], B0[2];
            ptk_unit_scales(format, row + b * size, 0, A0, B0, PTK_NAME(half_));
            PTK_NAME(float_unit_)(format, row + b * size, 0, b, A0, B0, xs, lanes, NX, acc0, shifted0);
        }
    } else {
        for (size_t b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * size;
            float A[8][2], B[8][2];
            for (int u = 0; u < 8; u++) ptk_unit_scales(format, blk, u, A[u], B[u], PTK_NAME(half_));
            for (int u = 0; u < 8; u += 2) {
                PTK_NAME(float_unit_)(format, blk, u, 8 * b + u, A[u], B[u], xs, lanes, NX, acc0, shifted0);
                PTK_NAME(float_unit_)(format, blk, u + 1, 8 * b + u + 1, A[u + 1], B[u + 1], xs, lanes, NX, acc1, shifted1);
            }
        }
    }
    for (int j = 0; j < NX; j++)
        out[j] = PTK_NAME(hsum_)(_mm256_add_ps(_mm256_add_ps(acc0[j], acc1[j]), _mm256_add_ps(shifted0[j], shifted1[j])));
}

/// Eight float weights of row `row` at column c, as floats.
static inline __attribute__((always_inline)) __m256 PTK_NAME(load8_)(int format, const uint8_t *row, size_t c) {
    switch (format) {
    case PTK_F16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 2 * c)));
    case PTK_BF16:
        return _mm256_castsi256_ps(_mm256_slli_epi32(
            _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + 2 * c))), 16));
    case PTK_F64:
        return _mm256_set_m128(_mm256_cvtpd_ps(_mm256_loadu_pd((const double *)(row + 8 * c + 32))),
                               _mm256_cvtpd_ps(_mm256_loadu_pd((const double *)(row + 8 * c))));
    default: return _mm256_loadu_ps((const float *)(row + 4 * c));
    }
}

/// One float-weight row (F32/F16/BF16/F64) against NX float activation rows.
static inline __attribute__((always_inline)) void PTK_NAME(float_row_)(int format, const uint8_t *row, size_t cols,
                                                                       const float *const xs[4], const int NX,
                                                                       float out[4]) {
    __m256 acc[4];
    for (int j = 0; j < NX; j++) acc[j] = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 w = PTK_NAME(load8_)(format, row, c);
        for (int j = 0; j < NX; j++) acc[j] = _mm256_fmadd_ps(w, _mm256_loadu_ps(xs[j] + c), acc[j]);
    }
    for (int j = 0; j < NX; j++) {
        float s = PTK_NAME(hsum_)(acc[j]);
        for (size_t t = c; t < cols; t++) {
            float w;
            switch (format) {
            case PTK_F16: w = ptk_half(row + 2 * t); break;
            case PTK_BF16: w = ptk_bhalf(row + 2 * t); break;
            case PTK_F64: { double v; memcpy(&v, row + 8 * t, 8); w = (float)v; break; }
            default: memcpy(&w, row + 4 * t, 4); break;
            }
            s += w * xs[j][t];
        }
        out[j] = s;
    }
}

/// Rows × activation rows, four activation rows per pass over each weight row.
static inline __attribute__((always_inline)) void PTK_NAME(matvec_format_)(
    int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols, const ptk_q8_block *xq,
    size_t xq_stride, const float *xf, size_t xf_stride, const float *xlanes, size_t nx, float *y, size_t ldy) {
    const int floats = ptk_block_elements(format) == 1;
    const size_t blocks = cols / ptk_block_elements(format);
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *row = w + r * row_bytes;
        for (size_t j0 = 0; j0 < nx; j0 += 4) {
            float out[4];
            size_t n = nx - j0 < 4 ? nx - j0 : 4;
            if (floats) {
                const float *xs[4];
                for (size_t j = 0; j < 4; j++) xs[j] = xf + (j0 + (j < n ? j : 0)) * xf_stride;
                switch (n) {
                case 1: PTK_NAME(float_row_)(format, row, cols, xs, 1, out); break;
                case 2: PTK_NAME(float_row_)(format, row, cols, xs, 2, out); break;
                case 3: PTK_NAME(float_row_)(format, row, cols, xs, 3, out); break;
                default: PTK_NAME(float_row_)(format, row, cols, xs, 4, out); break;
                }
            } else if (!xq) {
                const float *xs[4], *lanes[4];
                for (size_t j = 0; j < 4; j++) {
                    size_t k = j0 + (j < n ? j : 0);
                    xs[j] = xf + k * xf_stride;
                    lanes[j] = xlanes + k * (cols / 4);
                }
                switch (n) {
                case 1: PTK_NAME(float_act_row_)(format, row, blocks, xs, lanes, 1, out); break;
                case 2: PTK_NAME(float_act_row_)(format, row, blocks, xs, lanes, 2, out); break;
                case 3: PTK_NAME(float_act_row_)(format, row, blocks, xs, lanes, 3, out); break;
                default: PTK_NAME(float_act_row_)(format, row, blocks, xs, lanes, 4, out); break;
                }
            } else {
                const ptk_q8_block *xs[4];
                for (size_t j = 0; j < 4; j++) xs[j] = xq + (j0 + (j < n ? j : 0)) * xq_stride;
                switch (n) {
                case 1: PTK_NAME(row_)(format, row, blocks, xs, 1, out); break;
                case 2: PTK_NAME(row_)(format, row, blocks, xs, 2, out); break;
                case 3: PTK_NAME(row_)(format, row, blocks, xs, 3, out); break;
                default: PTK_NAME(row_)(format, row, blocks, xs, 4, out); break;
                }
            }
            for (size_t j = 0; j < n; j++) y[(j0 + j) * ldy + r] = out[j];
        }
    }
}

/// One instantiation per format, so the format's unpacking inlines into its loop.
#define PTK_INSTANCE(F) \
    static void PTK_CAT(PTK_NAME(matvec_), F)(const uint8_t *w, size_t row_bytes, size_t rows, size_t cols, \
                                                const ptk_q8_block *xq, size_t xq_stride, const float *xf, \
                                                size_t xf_stride, const float *xlanes, size_t nx, float *y, \
                                                size_t ldy) { \
        PTK_NAME(matvec_format_)(F, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, xlanes, nx, y, ldy); \
    }
PTK_INSTANCE(PTK_F32)
PTK_INSTANCE(PTK_F16)
PTK_INSTANCE(PTK_BF16)
PTK_INSTANCE(PTK_F64)
PTK_INSTANCE(PTK_Q4_0)
PTK_INSTANCE(PTK_Q4_1)
PTK_INSTANCE(PTK_Q5_0)
PTK_INSTANCE(PTK_Q5_1)
PTK_INSTANCE(PTK_Q8_0)
PTK_INSTANCE(PTK_Q2_K)
PTK_INSTANCE(PTK_Q3_K)
PTK_INSTANCE(PTK_Q4_K)
PTK_INSTANCE(PTK_Q5_K)
PTK_INSTANCE(PTK_Q6_K)

void PTK_NAME(ptk_matvec_)(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                           const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride,
                           const float *xlanes, size_t nx, float *y, size_t ldy) {
    switch (format) {
#define PTK_CASE(F) case F: PTK_CAT(PTK_NAME(matvec_), F)(w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, xlanes, nx, y, ldy); return;
    PTK_CASE(PTK_F32) PTK_CASE(PTK_F16) PTK_CASE(PTK_BF16) PTK_CASE(PTK_F64)
    PTK_CASE(PTK_Q4_0) PTK_CASE(PTK_Q4_1) PTK_CASE(PTK_Q5_0) PTK_CASE(PTK_Q5_1) PTK_CASE(PTK_Q8_0)
    PTK_CASE(PTK_Q2_K) PTK_CASE(PTK_Q3_K) PTK_CASE(PTK_Q4_K) PTK_CASE(PTK_Q5_K) PTK_CASE(PTK_Q6_K)
#undef PTK_CASE
    default: return;
    }
}

#undef PTK_INSTANCE
