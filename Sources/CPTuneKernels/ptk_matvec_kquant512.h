// Matrix-vector products with float32 activations on 512-bit vectors for the K-quant super-blocks Q4_K, Q5_K and
// Q6_K (256 elements in eight units of 32), one to eight activation rows. Unit u's value is A·code + B with one A
// per unit for Q4_K/Q5_K (d·scale_u, B = −dmin·min_u) and one per 16 elements for Q6_K (d·scale, its codes taken
// signed, code − 32, so B = 0), so a super-block's dot product with x is
//
//     Σ_u A_u·Σ code·x  −  Σ_u dmin·min_u·Σ_u x,
//
// and each activation row's Σx per unit is summed once before the walk over the weights. Per unit the codes are
// widened to floats once (16 per register, the bytes as ptk_matvec_simd.h's codes_ assembles them) and multiplied
// with every row; the unit scales of a super-block come from one conversion of its packed 6-bit (or 8-bit) scales,
// and the minimums' term is one 8-wide multiply-add per super-block and row. One or two rows (Q4_K/Q5_K) scale each
// unit's partial sum; more rows, and Q6_K's two scales per unit, scale the codes once for all rows, and three to
// eight rows (a batched decoding step) walk two weight rows at a time, each activation unit loaded once for both.
// Included by kernels_x86.c inside its AVX-512 region, after the avx512 variant of ptk_matvec_simd.h.

/// Whether the 512-bit K-quant kernels take `format`.
static inline int kq_supported(int format) {
    return format == PTK_Q4_K || format == PTK_Q5_K || format == PTK_Q6_K;
}

/// The scales of the super-block at `b`: Q4_K/Q5_K's A_u = d·scale_u in `A[0…7]` and dmin·min_u in `mins`, bit
/// for bit the factors of ptk_dequantize; Q6_K's d·scale_g for its sixteen groups of 16 in `A[0…15]`.
static inline __attribute__((always_inline)) void kq_scales(int format, const uint8_t *b, float A[16], __m256 *mins) {
    if (format == PTK_Q6_K) {
        const __m512 s = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(b + 192))));
        _mm512_storeu_ps(A, _mm512_mul_ps(_mm512_set1_ps(half_avx512(b + 208)), s));
        *mins = _mm256_setzero_ps();
        return;
    }
    // Twelve bytes s[0…11]: for u < 4, scale = s[u] & 63 and min = s[u + 4] & 63; for u ≥ 4 the low four bits come
    // from s[u + 4] (scale: its low nibble, min: its high nibble) and the top two from bits 6–7 of s[u − 4] (scale)
    // or s[u] (min). Done on three 32-bit words, four units per word.
    uint32_t w0, w1, w2;
    memcpy(&w0, b + 4, 4);
    memcpy(&w1, b + 8, 4);
    memcpy(&w2, b + 12, 4);
    const uint32_t low6 = 0x3F3F3F3Fu, nibble = 0x0F0F0F0Fu, top2 = 0x30303030u;
    const uint64_t scales = (uint64_t)(w0 & low6) | (uint64_t)((w2 & nibble) | ((w0 >> 2) & top2)) << 32;
    const uint64_t minimums = (uint64_t)(w1 & low6) | (uint64_t)(((w2 >> 4) & nibble) | ((w1 >> 2) & top2)) << 32;
    const __m256 sc = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)scales)));
    const __m256 mn = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)minimums)));
    _mm256_storeu_ps(A, _mm256_mul_ps(_mm256_set1_ps(half_avx512(b)), sc));
    *mins = _mm256_mul_ps(_mm256_set1_ps(half_avx512(b + 2)), mn);
}

/// The codes of units 2c and 2c + 1 of the super-block at `b` as floats: `c[0]`, `c[1]` are unit 2c's elements 0–15
/// and 16–31, `c[2]`, `c[3]` unit 2c + 1's (Q6_K's less 32).
static inline __attribute__((always_inline)) void kq_codes(int format, const uint8_t *b, int c, __m512 codes[4]) {
    if (format == PTK_Q4_K) {
        // Bytes widened straight from memory: units 2c and 2c + 1 are the low and high nibbles of the same 32 bytes.
        const uint8_t *qs = b + 16 + 32 * c;
        const __m512i v0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)qs));
        const __m512i v1 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(qs + 16)));
        const __m512i nib = _mm512_set1_epi32(0x0F);
        codes[0] = _mm512_cvtepi32_ps(_mm512_and_si512(v0, nib));
        codes[1] = _mm512_cvtepi32_ps(_mm512_and_si512(v1, nib));
        codes[2] = _mm512_cvtepi32_ps(_mm512_srli_epi32(v0, 4));
        codes[3] = _mm512_cvtepi32_ps(_mm512_srli_epi32(v1, 4));
        return;
    }
    for (int k = 0; k < 2; k++) {
        __m256i w = codes_avx512(format, b, 2 * c + k);
        if (format == PTK_Q6_K) {
            w = _mm256_sub_epi8(w, _mm256_set1_epi8(32));
            codes[2 * k] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(w)));
            codes[2 * k + 1] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(w, 1)));
        } else {
            codes[2 * k] = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm256_castsi256_si128(w)));
            codes[2 * k + 1] = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm256_extracti128_si256(w, 1)));
        }
    }
}

/// Adds unit u's codes `c0`, `c1` (scales `a0`, `a1` for its two halves) times NX activation rows (its 32 elements
/// at `xs[j] + at`) to `acc`.
static inline __attribute__((always_inline)) void kq_unit(__m512 c0, __m512 c1, float a0, float a1, int prescale,
                                                         const float *const xs[8], size_t at, const int NX,
                                                         __m512 acc[8]) {
    if (prescale) {
        const __m512 w0 = _mm512_mul_ps(c0, _mm512_set1_ps(a0)), w1 = _mm512_mul_ps(c1, _mm512_set1_ps(a1));
        for (int j = 0; j < NX; j++) {
            const float *x = xs[j] + at;
            acc[j] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + 16), _mm512_fmadd_ps(w0, _mm512_loadu_ps(x), acc[j]));
        }
    } else {
        const __m512 a = _mm512_set1_ps(a0);
        for (int j = 0; j < NX; j++) {
            const float *x = xs[j] + at;
            const __m512 partial = _mm512_fmadd_ps(c1, _mm512_loadu_ps(x + 16), _mm512_mul_ps(c0, _mm512_loadu_ps(x)));
            acc[j] = _mm512_fmadd_ps(a, partial, acc[j]);
        }
    }
}

/// Adds super-block `b` (at `p`) times NX activation rows to `acc0` (even units) and `acc1` (odd units), so the
/// multiply-adds do not wait for each other, and its minimums' term, dmin·min_u·Σ_u x, to `minus`.
static inline __attribute__((always_inline)) void kq_block(int format, const uint8_t *p, size_t b,
                                                          const float *const xs[8], const float *const sums[8],
                                                          const int NX, __m512 acc0[8], __m512 acc1[8],
                                                          __m256 minus[8]) {
    float A[16];
    __m256 mins;
    kq_scales(format, p, A, &mins);
    const int six = format == PTK_Q6_K, prescale = six || NX > 2;
#pragma clang loop unroll(full)
    for (int c = 0; c < 4; c++) {
        __m512 codes[4];
        kq_codes(format, p, c, codes);
        const int u = 2 * c;
        kq_unit(codes[0], codes[1], six ? A[2 * u] : A[u], six ? A[2 * u + 1] : A[u], prescale, xs,
                256 * b + 32 * u, NX, acc0);
        kq_unit(codes[2], codes[3], six ? A[2 * u + 2] : A[u + 1], six ? A[2 * u + 3] : A[u + 1], prescale, xs,
                256 * b + 32 * u + 32, NX, acc1);
    }
    if (!six)
        for (int j = 0; j < NX; j++) minus[j] = _mm256_fmadd_ps(mins, _mm256_loadu_ps(sums[j] + 8 * b), minus[j]);
}

/// Two weight rows (`row_bytes` apart) against NX activation rows (3 ≤ NX ≤ 8, a constant at each call), the codes
/// scaled once for all rows: each activation unit is loaded once for both weight rows, so the loads keep up with the
/// multiply-adds. `out[r·8 + j]` is weight row r's product with activation row j.
static inline __attribute__((always_inline)) void kq_scaled_pair(int format, const uint8_t *w, size_t row_bytes,
                                                                size_t blocks, const float *const xs[8],
                                                                const float *const sums[8], const int NX,
                                                                float *out) {
    const size_t size = ptk_block_bytes(format);
    const int six = format == PTK_Q6_K;
    __m512 acc[2][8];
    __m256 minus[2][8];
    for (int j = 0; j < NX; j++) {
        acc[0][j] = acc[1][j] = _mm512_setzero_ps();
        minus[0][j] = minus[1][j] = _mm256_setzero_ps();
    }
    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *p[2] = {w + b * size, w + row_bytes + b * size};
        float A[2][16];
        __m256 mins[2];
        for (int r = 0; r < 2; r++) kq_scales(format, p[r], A[r], &mins[r]);
#pragma clang loop unroll(full)
        for (int c = 0; c < 4; c++) {
            __m512 codes[2][4];
            for (int r = 0; r < 2; r++) kq_codes(format, p[r], c, codes[r]);
            for (int k = 0; k < 2; k++) {
                const int u = 2 * c + k;
                __m512 s[2][2];
                for (int r = 0; r < 2; r++) {
                    s[r][0] = _mm512_mul_ps(codes[r][2 * k], _mm512_set1_ps(six ? A[r][2 * u] : A[r][u]));
                    s[r][1] = _mm512_mul_ps(codes[r][2 * k + 1], _mm512_set1_ps(six ? A[r][2 * u + 1] : A[r][u]));
                }
                for (int j = 0; j < NX; j++) {
                    const float *x = xs[j] + 256 * b + 32 * u;
                    const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
                    acc[0][j] = _mm512_fmadd_ps(s[0][1], x1, _mm512_fmadd_ps(s[0][0], x0, acc[0][j]));
                    acc[1][j] = _mm512_fmadd_ps(s[1][1], x1, _mm512_fmadd_ps(s[1][0], x0, acc[1][j]));
                }
            }
        }
        if (!six)
            for (int j = 0; j < NX; j++) {
                const __m256 sx = _mm256_loadu_ps(sums[j] + 8 * b);
                minus[0][j] = _mm256_fmadd_ps(mins[0], sx, minus[0][j]);
                minus[1][j] = _mm256_fmadd_ps(mins[1], sx, minus[1][j]);
            }
    }
    for (int r = 0; r < 2; r++)
        for (int j = 0; j < NX; j++) out[8 * r + j] = _mm512_reduce_add_ps(acc[r][j]) - hsum_avx512(minus[r][j]);
}

/// One weight row of `blocks` super-blocks against NX activation rows (NX ≤ 8, a constant at each call). Walking
/// two or four weight rows at once for one or two activation rows, as the 32-element kernels do, measured no faster
/// (two rows of scaled codes against two activation rows: 1.2–1.6× slower).
static inline __attribute__((always_inline)) void kq_row(int format, const uint8_t *row, size_t blocks,
                                                        const float *const xs[8], const float *const sums[8],
                                                        const int NX, float out[8]) {
    const size_t size = ptk_block_bytes(format);
    __m512 acc0[8], acc1[8];
    __m256 minus[8];
    for (int j = 0; j < NX; j++) {
        acc0[j] = acc1[j] = _mm512_setzero_ps();
        minus[j] = _mm256_setzero_ps();
    }
    for (size_t b = 0; b < blocks; b++) kq_block(format, row + b * size, b, xs, sums, NX, acc0, acc1, minus);
    for (int j = 0; j < NX; j++)
        out[j] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[j], acc1[j])) - hsum_avx512(minus[j]);
}

/// `y[j·ldy + r] = Σ_c W[r, c]·x_j[c]` for Q4_K/Q5_K/Q6_K, up to eight activation rows per pass over each weight
/// row; `sums` holds each row's Σx per 32 elements (cols/32 floats a row; unused for Q6_K).
static void ptk_matvec_kquant512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                                 const float *xf, size_t xf_stride, const float *sums, size_t nx, float *y,
                                 size_t ldy) {
    const size_t blocks = cols / 256;
    for (size_t j0 = 0; j0 < nx; j0 += 8) {
        const size_t n = nx - j0 < 8 ? nx - j0 : 8;
        const float *xs[8], *ss[8];
        for (size_t j = 0; j < 8; j++) {
            const size_t k = j0 + (j < n ? j : 0);
            xs[j] = xf + k * xf_stride;
            ss[j] = sums + k * (cols / 32);
        }
        size_t r = 0;
        // Three to eight rows (a batched decoding step): scaled codes, two weight rows at a time.
        if (n >= 3)
            for (; r + 2 <= rows; r += 2) {
                float out[16];
                switch (n) {
                case 3: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 3, out); break;
                case 4: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 4, out); break;
                case 5: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 5, out); break;
                case 6: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 6, out); break;
                case 7: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 7, out); break;
                default: kq_scaled_pair(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 8, out); break;
                }
                for (size_t j = 0; j < n; j++) {
                    y[(j0 + j) * ldy + r] = out[j];
                    y[(j0 + j) * ldy + r + 1] = out[8 + j];
                }
            }
        for (; r < rows; r++) {
            const uint8_t *row = w + r * row_bytes;
            float out[8];
            switch (n) {
            case 1: kq_row(format, row, blocks, xs, ss, 1, out); break;
            case 2: kq_row(format, row, blocks, xs, ss, 2, out); break;
            case 3: kq_row(format, row, blocks, xs, ss, 3, out); break;
            case 4: kq_row(format, row, blocks, xs, ss, 4, out); break;
            case 5: kq_row(format, row, blocks, xs, ss, 5, out); break;
            case 6: kq_row(format, row, blocks, xs, ss, 6, out); break;
            case 7: kq_row(format, row, blocks, xs, ss, 7, out); break;
            default: kq_row(format, row, blocks, xs, ss, 8, out); break;
            }
            for (size_t j = 0; j < n; j++) y[(j0 + j) * ldy + r] = out[j];
        }
    }
}

/// The K-quant entry: Σx per 32 elements of each activation row (on the stack for a decoding step's rows), then one
/// instantiation per format. Returns 0 (doing nothing) when the sums' scratch cannot be allocated.
static int ptk_matvec_kquant_avx512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                                    const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy) {
    const size_t units = cols / 32;
    float local[8 * 256];
    float *sums = local;
    if (format != PTK_Q6_K) {
        if (nx * units > sizeof local / sizeof local[0]) sums = malloc(sizeof(float) * nx * units);
        if (!sums) return 0;
        for (size_t j = 0; j < nx; j++)
            for (size_t u = 0; u < units; u++) {
                const float *x = xf + j * xf_stride + 32 * u;
                sums[j * units + u] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(x + 16)));
            }
    }
    switch (format) {
    case PTK_Q4_K: ptk_matvec_kquant512(PTK_Q4_K, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    case PTK_Q5_K: ptk_matvec_kquant512(PTK_Q5_K, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    default: ptk_matvec_kquant512(PTK_Q6_K, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    }
    if (sums != local) free(sums);
    return 1;
}
