// Matrix-vector products with float32 activations on 512-bit vectors, for the 32-element block formats — Q4_0,
// Q4_1, Q5_0, Q5_1, Q8_0, whose values are one scale (and offset) per block — and one to eight activation rows. A
// block's value is A·code + B (A = d; B = m for Q4_1 and Q5_1, −8d for Q4_0; Q5_0's codes are taken signed, code −
// 16, and Q8_0's are, so B = 0), so its dot product with x is
//
//     A·Σ code·x + B·Σ x,
//
// and Σ x over each block is summed once per activation row before the walk over the weights. Per block the codes
// are widened to floats once (16 per register) and multiplied with every row; the scale is applied to the block's
// partial sum, and (A, B) come from one F16C conversion, B's term accumulating in a 128-bit lane beside. One or two
// activation rows walk four or two Q4_0/Q4_1/Q5_0/Q5_1 weight rows at once (independent accumulators, each activation block
// loaded once for them). Three to eight rows (a batched decoding step) have multiply-adds enough to spare a decoding
// per block instead: its values (the block decoders' own arithmetic) multiply every row, two weight rows at a time.
// Included by kernels_x86.c inside its AVX-512 region.

/// Whether `format`'s blocks have an additive term B (Q4_0, Q4_1, Q5_1).
static inline int f512_additive(int format) {
    return format == PTK_Q4_0 || format == PTK_Q4_1 || format == PTK_Q5_1;
}

/// The codes of the block at `p` as floats, elements 0–15 in `c0` and 16–31 in `c1`, and its scales: A in lane 0 of
/// `s`, B's factor in lane 1 (the half stored there for Q4_1 and Q5_1; zero otherwise, Q4_0's term then coming from
/// lane 0).
static inline __attribute__((always_inline)) void f512_codes(int format, const uint8_t *p, __m512 *c0, __m512 *c1,
                                                            __m128 *s) {
    if (format == PTK_Q4_1 || format == PTK_Q5_1) {
        uint32_t dm;
        memcpy(&dm, p, 4);
        *s = _mm_cvtph_ps(_mm_cvtsi32_si128((int)dm));
    } else {
        uint16_t d;
        memcpy(&d, p, 2);
        *s = _mm_cvtph_ps(_mm_cvtsi32_si128((int)d));
    }
    if (format == PTK_Q8_0) {
        *c0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 2))));
        *c1 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(p + 18))));
        return;
    }
    if (format == PTK_Q5_0 || format == PTK_Q5_1) {
        // Four bytes of fifth bits (bit j for element j) before the nibbles, which are laid out as Q4_0's. Each
        // half's sixteen bits select its lanes: Q5_1 adds 16 where a bit is set; Q5_0 subtracts 16 where it is not.
        const uint8_t *qh = p + (format == PTK_Q5_0 ? 2 : 4);
        uint32_t high;
        memcpy(&high, qh, 4);
        const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(qh + 4)));
        __m512i lo = _mm512_and_si512(v, _mm512_set1_epi32(0x0F)), hi = _mm512_srli_epi32(v, 4);
        const __m512i sixteen = _mm512_set1_epi32(16);
        if (format == PTK_Q5_1) {
            lo = _mm512_mask_or_epi32(lo, (__mmask16)high, lo, sixteen);
            hi = _mm512_mask_or_epi32(hi, (__mmask16)(high >> 16), hi, sixteen);
        } else {
            lo = _mm512_mask_sub_epi32(lo, (__mmask16)~high, lo, sixteen);
            hi = _mm512_mask_sub_epi32(hi, (__mmask16)~(high >> 16), hi, sixteen);
        }
        *c0 = _mm512_cvtepi32_ps(lo);
        *c1 = _mm512_cvtepi32_ps(hi);
        return;
    }
    // Q4_0 and Q4_1: byte j holds element j (low nibble) and element j + 16 (high nibble).
    const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p + (format == PTK_Q4_0 ? 2 : 4))));
    *c0 = _mm512_cvtepi32_ps(_mm512_and_si512(v, _mm512_set1_epi32(0x0F)));
    *c1 = _mm512_cvtepi32_ps(_mm512_srli_epi32(v, 4));
}

/// Adds block `b`'s product with NX rows to `acc` and its additive term to `add` (each row's `sums` hold four
/// floats per block: Σx times the factor of each scale lane, see ``f512_block_sums``).
static inline __attribute__((always_inline)) void f512_block(int format, const uint8_t *p, size_t b,
                                                            const float *const xs[8], const float *const sums[8],
                                                            const int NX, __m512 acc[8], __m128 add[8]) {
    __m512 c0, c1;
    __m128 s;
    f512_codes(format, p, &c0, &c1, &s);
    const __m512 a = _mm512_broadcastss_ps(s);
    for (int j = 0; j < NX; j++) {
        const float *x = xs[j] + 32 * b;
        const __m512 partial = _mm512_fmadd_ps(c1, _mm512_loadu_ps(x + 16), _mm512_mul_ps(c0, _mm512_loadu_ps(x)));
        acc[j] = _mm512_fmadd_ps(a, partial, acc[j]);
        if (f512_additive(format)) add[j] = _mm_fmadd_ps(s, _mm_loadu_ps(sums[j] + 4 * b), add[j]);
    }
}

/// One weight row against NX activation rows (NX ≤ 8, a constant at each call). Up to four rows, blocks go in pairs
/// into two sets of accumulators so the multiply-adds do not wait for each other; more rows are independent enough
/// one block at a time.
static inline __attribute__((always_inline)) void f512_row(int format, const uint8_t *row, size_t blocks,
                                                          const float *const xs[8], const float *const sums[8],
                                                          const int NX, float out[8]) {
    const size_t size = ptk_block_bytes(format);
    __m512 acc0[8], acc1[8];
    __m128 add0[8], add1[8];
    for (int j = 0; j < NX; j++) {
        acc0[j] = acc1[j] = _mm512_setzero_ps();
        add0[j] = add1[j] = _mm_setzero_ps();
    }
    size_t b = 0;
    if (NX <= 4)
        for (; b + 2 <= blocks; b += 2) {
            f512_block(format, row + b * size, b, xs, sums, NX, acc0, add0);
            f512_block(format, row + (b + 1) * size, b + 1, xs, sums, NX, acc1, add1);
        }
    for (; b < blocks; b++) f512_block(format, row + b * size, b, xs, sums, NX, acc0, add0);
    for (int j = 0; j < NX; j++) {
        const __m128 add = _mm_add_ps(add0[j], add1[j]);
        out[j] = _mm512_reduce_add_ps(_mm512_add_ps(acc0[j], acc1[j]))
            + (_mm_cvtss_f32(add) + _mm_cvtss_f32(_mm_movehdup_ps(add)));
    }
}

/// R weight rows (`row_bytes` apart) against NX activation rows (R·NX ≤ 8, constants at each call), one block column
/// at a time: the R·NX accumulators are independent, and each activation block is loaded once for the R rows.
/// `out[r·8 + j]` is row r's product with activation row j.
static inline __attribute__((always_inline)) void f512_rows(int format, const uint8_t *w, size_t row_bytes,
                                                           size_t blocks, const float *const xs[8],
                                                           const float *const sums[8], const int R, const int NX,
                                                           float *out) {
    const size_t size = ptk_block_bytes(format);
    __m512 acc[8];
    __m128 add[8];
    for (int k = 0; k < R * NX; k++) {
        acc[k] = _mm512_setzero_ps();
        add[k] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < blocks; b++)
        for (int r = 0; r < R; r++)
            f512_block(format, w + r * row_bytes + b * size, b, xs, sums, NX, acc + r * NX, add + r * NX);
    for (int r = 0; r < R; r++)
        for (int j = 0; j < NX; j++) {
            const __m128 a = add[r * NX + j];
            out[r * 8 + j] = _mm512_reduce_add_ps(acc[r * NX + j])
                + (_mm_cvtss_f32(a) + _mm_cvtss_f32(_mm_movehdup_ps(a)));
        }
}

/// The 32 values of the block at `p` as the block decoders compute them (multiply, then add: the same bits as
/// ptk_dequantize, Q5_0's d·(code − 16) included), elements 0–15 in `w0` and 16–31 in `w1`.
static inline __attribute__((always_inline)) void f512_decode(int format, const uint8_t *p, __m512 *w0, __m512 *w1) {
    __m512 c0, c1;
    __m128 s;
    f512_codes(format, p, &c0, &c1, &s);
    const __m512 d = _mm512_broadcastss_ps(s);
    if (format == PTK_Q4_0) {
        c0 = _mm512_sub_ps(c0, _mm512_set1_ps(8.0f));
        c1 = _mm512_sub_ps(c1, _mm512_set1_ps(8.0f));
    }
    *w0 = _mm512_mul_ps(d, c0);
    *w1 = _mm512_mul_ps(d, c1);
    if (format == PTK_Q4_1 || format == PTK_Q5_1) {
        const __m512 m = _mm512_broadcastss_ps(_mm_movehdup_ps(s));
        *w0 = _mm512_add_ps(*w0, m);
        *w1 = _mm512_add_ps(*w1, m);
    }
}

/// Two weight rows (`row_bytes` apart) against NX activation rows (3 ≤ NX ≤ 8, a constant at each call): each block
/// is decoded once and multiplied with every row, and each activation block is loaded once for both weight rows, so
/// the loads keep up with the multiply-adds. `out[r·8 + j]` is weight row r's product with activation row j.
static inline __attribute__((always_inline)) void f512_decoded_pair(int format, const uint8_t *w, size_t row_bytes,
                                                                   size_t blocks, const float *const xs[8],
                                                                   const int NX, float *out) {
    const size_t size = ptk_block_bytes(format);
    __m512 acc[2][8];
    for (int j = 0; j < NX; j++) acc[0][j] = acc[1][j] = _mm512_setzero_ps();
    for (size_t b = 0; b < blocks; b++) {
        __m512 a0, a1, b0, b1;
        // The next pair's blocks: left to the hardware, Q8_0's rows came from memory at 0.6-0.7x the speed.
        _mm_prefetch((const char *)(w + 2 * row_bytes + b * size), _MM_HINT_T0);
        _mm_prefetch((const char *)(w + 3 * row_bytes + b * size), _MM_HINT_T0);
        f512_decode(format, w + b * size, &a0, &a1);
        f512_decode(format, w + row_bytes + b * size, &b0, &b1);
        for (int j = 0; j < NX; j++) {
            const float *x = xs[j] + 32 * b;
            const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
            acc[0][j] = _mm512_fmadd_ps(a1, x1, _mm512_fmadd_ps(a0, x0, acc[0][j]));
            acc[1][j] = _mm512_fmadd_ps(b1, x1, _mm512_fmadd_ps(b0, x0, acc[1][j]));
        }
    }
    for (int j = 0; j < NX; j++) {
        out[j] = _mm512_reduce_add_ps(acc[0][j]);
        out[8 + j] = _mm512_reduce_add_ps(acc[1][j]);
    }
}

/// Each block's Σx of `nx` rows (`xf_stride` apart), as four floats per block: (k₀·Σx, k₁·Σx, 0, 0), where k
/// pairs the scale lanes of ``f512_codes`` with the format's additive term (Q4_0: B = −8·A; Q4_1, Q5_1: B = m).
static void f512_block_sums(int format, const float *xf, size_t xf_stride, size_t nx, size_t blocks, float *out) {
    const float k0 = format == PTK_Q4_0 ? -8.0f : 0.0f, k1 = format == PTK_Q4_1 || format == PTK_Q5_1 ? 1.0f : 0.0f;
    for (size_t j = 0; j < nx; j++)
        for (size_t b = 0; b < blocks; b++) {
            const float *x = xf + j * xf_stride + 32 * b;
            const float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(x + 16)));
            float *o = out + 4 * (j * blocks + b);
            o[0] = k0 * s;
            o[1] = k1 * s;
            o[2] = o[3] = 0;
        }
}

/// `y[j·ldy + r] = Σ_c W[r, c]·x_j[c]` for a supported format, up to eight activation rows per pass over each weight
/// row (one or two activation rows: several weight rows at a time); `sums` as ``f512_block_sums`` wrote them
/// (unused without an additive term).
static void ptk_matvec_float512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                                const float *xf, size_t xf_stride, const float *sums, size_t nx, float *y,
                                size_t ldy) {
    const size_t blocks = cols / 32;
    size_t r = 0;
    // One or two activation rows (a decoding step): four or two weight rows at a time. Not for Q8_0: its 34-byte
    // blocks read from several rows at once came from memory 2.5 times slower than one row's (measured on AMD Zen 4).
    if (nx <= 2 && format != PTK_Q8_0) {
        const float *xs[8], *ss[8];
        for (size_t j = 0; j < 8; j++) {
            const size_t k = j < nx ? j : 0;
            xs[j] = xf + k * xf_stride;
            ss[j] = sums + 4 * k * blocks;
        }
        float out[4 * 8];
        if (nx == 1)
            for (; r + 4 <= rows; r += 4) {
                f512_rows(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 4, 1, out);
                for (int i = 0; i < 4; i++) y[r + i] = out[8 * i];
            }
        else
            for (; r + 2 <= rows; r += 2) {
                f512_rows(format, w + r * row_bytes, row_bytes, blocks, xs, ss, 2, 2, out);
                for (int i = 0; i < 2; i++) {
                    y[r + i] = out[8 * i];
                    y[ldy + r + i] = out[8 * i + 1];
                }
            }
    }
    // Three to eight activation rows (a batched decoding step): decoded blocks, two weight rows at a time.
    if (nx >= 3 && nx <= 8) {
        const float *xs[8];
        for (size_t j = 0; j < 8; j++) xs[j] = xf + (j < nx ? j : 0) * xf_stride;
        float out[2 * 8];
        for (; r + 2 <= rows; r += 2) {
            switch (nx) {
            case 3: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 3, out); break;
            case 4: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 4, out); break;
            case 5: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 5, out); break;
            case 6: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 6, out); break;
            case 7: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 7, out); break;
            default: f512_decoded_pair(format, w + r * row_bytes, row_bytes, blocks, xs, 8, out); break;
            }
            for (size_t j = 0; j < nx; j++) {
                y[j * ldy + r] = out[j];
                y[j * ldy + r + 1] = out[8 + j];
            }
        }
    }
    for (; r < rows; r++) {
        const uint8_t *row = w + r * row_bytes;
        for (size_t j0 = 0; j0 < nx; j0 += 8) {
            const size_t n = nx - j0 < 8 ? nx - j0 : 8;
            const float *xs[8], *ss[8];
            float out[8];
            for (size_t j = 0; j < 8; j++) {
                const size_t k = j0 + (j < n ? j : 0);
                xs[j] = xf + k * xf_stride;
                ss[j] = sums + 4 * k * blocks;
            }
            switch (n) {
            case 1: f512_row(format, row, blocks, xs, ss, 1, out); break;
            case 2: f512_row(format, row, blocks, xs, ss, 2, out); break;
            case 3: f512_row(format, row, blocks, xs, ss, 3, out); break;
            case 4: f512_row(format, row, blocks, xs, ss, 4, out); break;
            case 5: f512_row(format, row, blocks, xs, ss, 5, out); break;
            case 6: f512_row(format, row, blocks, xs, ss, 6, out); break;
            case 7: f512_row(format, row, blocks, xs, ss, 7, out); break;
            default: f512_row(format, row, blocks, xs, ss, 8, out); break;
            }
            for (size_t j = 0; j < n; j++) y[(j0 + j) * ldy + r] = out[j];
        }
    }
}

/// The entry point: one instantiation per format so the decoding inlines into its loop, the K-quants handed to
/// ptk_matvec_kquant512.h; returns 0 (and does nothing) for a format without a kernel here, or when the block
/// sums' scratch cannot be allocated.
int ptk_matvec_float_avx512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                            const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy) {
    if (kq_supported(format)) return ptk_matvec_kquant_avx512(format, w, row_bytes, rows, cols, xf, xf_stride, nx, y, ldy);
    if (format != PTK_Q4_0 && format != PTK_Q4_1 && format != PTK_Q5_0 && format != PTK_Q5_1 && format != PTK_Q8_0)
        return 0;
    const size_t blocks = cols / 32;
    // Small products keep the sums on the stack (a decoding step's widest activation row has 48 blocks).
    float local[4 * 8 * 64];
    float *sums = local;
    if (f512_additive(format)) {
        if (4 * nx * blocks > sizeof local / sizeof local[0]) sums = malloc(sizeof(float) * 4 * nx * blocks);
        if (!sums) return 0;
        f512_block_sums(format, xf, xf_stride, nx, blocks, sums);
    }
    switch (format) {
    case PTK_Q4_0: ptk_matvec_float512(PTK_Q4_0, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    case PTK_Q4_1: ptk_matvec_float512(PTK_Q4_1, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    case PTK_Q5_0: ptk_matvec_float512(PTK_Q5_0, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    case PTK_Q5_1: ptk_matvec_float512(PTK_Q5_1, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    default: ptk_matvec_float512(PTK_Q8_0, w, row_bytes, rows, cols, xf, xf_stride, sums, nx, y, ldy); break;
    }
    if (sums != local) free(sums);
    return 1;
}
