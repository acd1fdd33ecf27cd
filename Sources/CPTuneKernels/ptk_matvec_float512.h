// Matrix-vector products with float32 activations on 512-bit vectors, for the 32-element block formats whose values
// are one scale (and offset) per block — Q4_0, Q4_1, Q8_0: each block's 32 weights are decoded in registers with the
// block decoders' own arithmetic (multiply, then add; the same bits as ptk_dequantize), then multiplied with up to
// eight activation rows by fused multiply-adds. The result is the float32 product with the dequantized matrix, up to
// summation order. Included by kernels_x86.c inside its AVX-512 region.

/// The 32 weights of the block at `b`, elements 0–15 in `w0` and 16–31 in `w1`.
static inline __attribute__((always_inline)) void f512_decode(int format, const uint8_t *b, __m512 *w0, __m512 *w1) {
    uint16_t h;
    memcpy(&h, b, 2);
    const __m512 d = _mm512_set1_ps(_cvtsh_ss(h));
    if (format == PTK_Q8_0) {
        *w0 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(b + 2)))));
        *w1 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(b + 18)))));
        return;
    }
    // Q4_0 and Q4_1: byte j holds element j (low nibble) and element j + 16 (high nibble).
    const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(b + (format == PTK_Q4_0 ? 2 : 4))));
    __m512i lo = _mm512_and_si512(v, _mm512_set1_epi32(0x0F)), hi = _mm512_srli_epi32(v, 4);
    if (format == PTK_Q4_0) {
        lo = _mm512_sub_epi32(lo, _mm512_set1_epi32(8));
        hi = _mm512_sub_epi32(hi, _mm512_set1_epi32(8));
        *w0 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(lo));
        *w1 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(hi));
        return;
    }
    uint16_t mh;
    memcpy(&mh, b + 2, 2);
    const __m512 m = _mm512_set1_ps(_cvtsh_ss(mh));
    *w0 = _mm512_add_ps(_mm512_mul_ps(d, _mm512_cvtepi32_ps(lo)), m);
    *w1 = _mm512_add_ps(_mm512_mul_ps(d, _mm512_cvtepi32_ps(hi)), m);
}

/// One weight row against NX float activation rows (NX ≤ 8, a constant at each call). Up to four rows, blocks go in
/// pairs, each pair's products in their own accumulators so the multiply-adds do not wait for each other; more rows
/// give enough independent accumulators with one block at a time.
static inline __attribute__((always_inline)) void f512_row(int format, const uint8_t *row, size_t blocks,
                                                          const float *const xs[8], const int NX, float out[8]) {
    const size_t size = ptk_block_bytes(format);
    __m512 a0[8], a1[8], a2[8], a3[8];
    for (int j = 0; j < NX; j++) a0[j] = a1[j] = a2[j] = a3[j] = _mm512_setzero_ps();
    size_t b = 0;
    if (NX <= 4) {
        for (; b + 2 <= blocks; b += 2) {
            __m512 w0, w1, w2, w3;
            f512_decode(format, row + b * size, &w0, &w1);
            f512_decode(format, row + (b + 1) * size, &w2, &w3);
            for (int j = 0; j < NX; j++) {
                const float *x = xs[j] + 32 * b;
                a0[j] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x), a0[j]);
                a1[j] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + 16), a1[j]);
                a2[j] = _mm512_fmadd_ps(w2, _mm512_loadu_ps(x + 32), a2[j]);
                a3[j] = _mm512_fmadd_ps(w3, _mm512_loadu_ps(x + 48), a3[j]);
            }
        }
    }
    for (; b < blocks; b++) {
        __m512 w0, w1;
        f512_decode(format, row + b * size, &w0, &w1);
        for (int j = 0; j < NX; j++) {
            const float *x = xs[j] + 32 * b;
            a0[j] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x), a0[j]);
            a1[j] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + 16), a1[j]);
        }
    }
    for (int j = 0; j < NX; j++)
        out[j] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0[j], a1[j]), _mm512_add_ps(a2[j], a3[j])));
}

/// `y[j·ldy + r] = Σ_c W[r, c]·x_j[c]` for a supported format, up to eight activation rows per pass over each weight
/// row.
static void ptk_matvec_float512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                                const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy) {
    const size_t blocks = cols / 32;
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *row = w + r * row_bytes;
        for (size_t j0 = 0; j0 < nx; j0 += 8) {
            const size_t n = nx - j0 < 8 ? nx - j0 : 8;
            const float *xs[8];
            float out[8];
            for (size_t j = 0; j < 8; j++) xs[j] = xf + (j0 + (j < n ? j : 0)) * xf_stride;
            switch (n) {
            case 1: f512_row(format, row, blocks, xs, 1, out); break;
            case 2: f512_row(format, row, blocks, xs, 2, out); break;
            case 3: f512_row(format, row, blocks, xs, 3, out); break;
            case 4: f512_row(format, row, blocks, xs, 4, out); break;
            case 5: f512_row(format, row, blocks, xs, 5, out); break;
            case 6: f512_row(format, row, blocks, xs, 6, out); break;
            case 7: f512_row(format, row, blocks, xs, 7, out); break;
            default: f512_row(format, row, blocks, xs, 8, out); break;
            }
            for (size_t j = 0; j < n; j++) y[(j0 + j) * ldy + r] = out[j];
        }
    }
}

/// The entry point: one instantiation per format so the decoding inlines into its loop; returns 0 (and does
/// nothing) for a format without a kernel here.
int ptk_matvec_float_avx512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                            const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy) {
    switch (format) {
    case PTK_Q4_0: ptk_matvec_float512(PTK_Q4_0, w, row_bytes, rows, cols, xf, xf_stride, nx, y, ldy); return 1;
    case PTK_Q4_1: ptk_matvec_float512(PTK_Q4_1, w, row_bytes, rows, cols, xf, xf_stride, nx, y, ldy); return 1;
    case PTK_Q8_0: ptk_matvec_float512(PTK_Q8_0, w, row_bytes, rows, cols, xf, xf_stride, nx, y, ldy); return 1;
    default: return 0;
    }
}
