// Float32 matrix products on 512-bit vectors, for the products with decoded tiles of a quantized weight (prefill,
// the training forward, the input gradient). The micro-kernel keeps a block of up to 8 rows of A × 32 columns of C
// in 16 registers; per k it loads 32 values of B (two vectors, 16 consecutive columns each), broadcasts each row's
// A[i, k], and multiply-adds. B is read either as a row-major [k, n] matrix (the input gradient's tile, as decoded)
// or as panels of 16 columns stored k-major, into which C = A·Bᵀ packs its row-major [n, k] tile first (a 16×16
// transpose in registers per step). Column tails are masked loads and stores; packed panels are padded with zeros.
// Rows of A go in blocks of 8 (the outer loop, so a block's rows stay in L1 while B streams from L2), tails of 1–7 with
// their own unrolled kernel. Included by kernels_x86.c inside its AVX-512 region.

#define G512_MR 8

/// C[i·ldc + j] (+)= Σ_k A[i·lda + k]·B(k, j) for MR rows and NV·16 columns (the last group masked by `m1`, or the
/// only one by `m0`); B(k, j) is at b + k·sb + (j / 16)·bv + j % 16. `lm` masks B's loads (all ones for padded panels).
static inline __attribute__((always_inline)) void g512_block(const int MR, const int NV, const float *a, size_t lda,
                                                            size_t kc, const float *b, size_t sb, size_t bv,
                                                            __mmask16 m0, __mmask16 m1, int masked_loads, float *c,
                                                            size_t ldc, int beta) {
    __m512 acc[G512_MR][2];
    const float *rows[G512_MR];
    for (int i = 0; i < MR; i++) {
        acc[i][0] = acc[i][1] = _mm512_setzero_ps();
        rows[i] = a + i * lda;
    }
    const __mmask16 l0 = masked_loads ? m0 : 0xFFFF, l1 = masked_loads ? m1 : 0xFFFF;
    for (size_t k = 0; k < kc; k++) {
        const float *bk = b + k * sb;
        const __m512 b0 = _mm512_maskz_loadu_ps(l0, bk);
        const __m512 b1 = NV > 1 ? _mm512_maskz_loadu_ps(l1, bk + bv) : _mm512_setzero_ps();
        for (int i = 0; i < MR; i++) {
            const __m512 x = _mm512_set1_ps(rows[i][k]);
            acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
            if (NV > 1) acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) {
            float *ci = c + i * ldc + 16 * v;
            const __mmask16 m = v ? m1 : m0;
            __m512 r = acc[i][v];
            if (beta) r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(m, ci));
            _mm512_mask_storeu_ps(ci, m, r);
        }
}

static inline __mmask16 g512_mask(size_t count) { return count >= 16 ? 0xFFFF : (__mmask16)((1u << count) - 1); }

/// C[m, n] (+)= A[m, kc] · B with B as ``g512_block`` reads it (`bv` apart per 16 columns).
static void g512_gemm(size_t m, size_t n, size_t kc, const float *a, size_t lda, const float *b, size_t sb, size_t bv,
                      int masked_loads, float *c, size_t ldc, int beta) {
    for (size_t i0 = 0; i0 < m; i0 += G512_MR) {
        const size_t mr = m - i0 < G512_MR ? m - i0 : G512_MR;
        const float *ai = a + i0 * lda;
        float *ci = c + i0 * ldc;
        for (size_t j0 = 0; j0 < n; j0 += 32) {
            const size_t nr = n - j0 < 32 ? n - j0 : 32;
            const __mmask16 m0 = g512_mask(nr), m1 = nr > 16 ? g512_mask(nr - 16) : 0;
            const float *bj = b + (j0 / 16) * bv;
            float *cj = ci + j0;
#define G512_CASE(R)                                                                                              \
    case R:                                                                                                       \
        if (nr > 16) g512_block(R, 2, ai, lda, kc, bj, sb, bv, m0, m1, masked_loads, cj, ldc, beta);              \
        else g512_block(R, 1, ai, lda, kc, bj, sb, bv, m0, m1, masked_loads, cj, ldc, beta);                      \
        break;
            switch (mr) {
                G512_CASE(1) G512_CASE(2) G512_CASE(3) G512_CASE(4) G512_CASE(5) G512_CASE(6) G512_CASE(7)
                default: G512_CASE(8)
            }
#undef G512_CASE
        }
    }
}

/// Transposes 16 rows of 16 floats (`r[j]` = row j) in place: afterwards `r[k]` holds element k of every row.
static inline __attribute__((always_inline)) void g512_transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int j = 0; j < 16; j += 2) {
        t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
    }
    for (int j = 0; j < 16; j += 4) {
        r[j] = _mm512_shuffle_ps(t[j], t[j + 2], 0x44);
        r[j + 1] = _mm512_shuffle_ps(t[j], t[j + 2], 0xEE);
        r[j + 2] = _mm512_shuffle_ps(t[j + 1], t[j + 3], 0x44);
        r[j + 3] = _mm512_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
    }
    // Now r[4q + s] holds, in each 128-bit lane l, elements 4l + s of rows 4q..4q+3.
    for (int s = 0; s < 4; s++) {
        t[s] = _mm512_shuffle_f32x4(r[s], r[4 + s], 0x88);      // lanes 0, 2 of rows 0-3, then of rows 4-7
        t[4 + s] = _mm512_shuffle_f32x4(r[s], r[4 + s], 0xDD);  // lanes 1, 3
        t[8 + s] = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0x88);
        t[12 + s] = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0xDD);
    }
    for (int s = 0; s < 4; s++) {
        r[s] = _mm512_shuffle_f32x4(t[s], t[8 + s], 0x88);           // lane 0
        r[8 + s] = _mm512_shuffle_f32x4(t[s], t[8 + s], 0xDD);       // lane 2
        r[4 + s] = _mm512_shuffle_f32x4(t[4 + s], t[12 + s], 0x88);  // lane 1
        r[12 + s] = _mm512_shuffle_f32x4(t[4 + s], t[12 + s], 0xDD); // lane 3
    }
}

/// Packs the row-major [n, k] matrix `w` (rows `ldw` apart) into panels of 16 rows stored k-major, panel p at
/// `out + p·16·k`, the last one padded with zero rows.
static void g512_pack(const float *w, size_t ldw, size_t n, size_t k, float *out) {
    for (size_t p = 0; p * 16 < n; p++) {
        const size_t live = n - 16 * p < 16 ? n - 16 * p : 16;
        float *panel = out + p * 16 * k;
        const float *src = w + 16 * p * ldw;
        size_t c = 0;
        for (; c + 16 <= k; c += 16) {
            __m512 r[16];
            for (size_t j = 0; j < 16; j++)
                r[j] = j < live ? _mm512_loadu_ps(src + j * ldw + c) : _mm512_setzero_ps();
            g512_transpose16(r);
            for (int j = 0; j < 16; j++) _mm512_storeu_ps(panel + (c + j) * 16, r[j]);
        }
        for (; c < k; c++)
            for (size_t j = 0; j < 16; j++) panel[c * 16 + j] = j < live ? src[j * ldw + c] : 0;
    }
}

void ptk_gemm_nt_avx512(const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                        float *panels, float *c, size_t ldc, int beta) {
    g512_pack(b, ldb, n, k, panels);
    g512_gemm(m, n, k, a, lda, panels, 16, 16 * k, 0, c, ldc, beta);
}

void ptk_gemm_nn_avx512(const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                        float *c, size_t ldc, int beta) {
    g512_gemm(m, n, k, a, lda, b, ldb, 16, 1, c, ldc, beta);
}
