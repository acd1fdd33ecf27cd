// The portable kernels (any CPU), activation quantization, and the run-time choice between the variants.
#include <math.h>
#include <stdlib.h>
#include "ptk_formats.h"

#define PTK_DEQUANT_NAME ptk_dequantize_portable
#include "ptk_dequant.h"

void ptk_dequantize_avx512(int format, const uint8_t *src, size_t blocks, float *y);
int ptk_matvec_float_avx512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                            const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy);
void ptk_matvec_avx2(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                     const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride,
                     const float *xlanes, size_t nx, float *y, size_t ldy);
void ptk_gemm_nt_avx512(const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                        float *panels, float *c, size_t ldc, int beta);
void ptk_gemm_nn_avx512(const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                        float *c, size_t ldc, int beta);
void ptk_matvec_avx512(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                       const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride,
                       const float *xlanes, size_t nx, float *y, size_t ldy);

size_t ptk_block_elements(int format) {
    switch (format) {
    case PTK_F32: case PTK_F16: case PTK_BF16: case PTK_F64: return 1;
    case PTK_Q4_0: case PTK_Q4_1: case PTK_Q5_0: case PTK_Q5_1: case PTK_Q8_0: return 32;
    default: return 256;
    }
}

size_t ptk_block_bytes(int format) {
    static const size_t bytes[PTK_FORMAT_COUNT] = {4, 2, 2, 8, 18, 20, 22, 24, 34, 84, 110, 144, 176, 210};
    return format >= 0 && format < PTK_FORMAT_COUNT ? bytes[format] : 0;
}

int ptk_detected_level(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c"))
        return PTK_AVX512_VNNI;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        return PTK_AVX2;
#endif
    return PTK_PORTABLE;
}

void ptk_quantize_q8(const float *x, size_t n, ptk_q8_block *out) {
    for (size_t b = 0; b < n / 32; b++) {
        const float *v = x + 32 * b;
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(v[j]));
        float d = amax / 127.0f, inv = d > 0 ? 1.0f / d : 0;
        int lanes[8] = {0};
        for (int j = 0; j < 32; j++) {
            int q = (int)lrintf(v[j] * inv);
            q = q > 127 ? 127 : (q < -127 ? -127 : q);
            out[b].q[j] = (int8_t)q;
            lanes[j / 4] += q;
        }
        out[b].d = d;
        for (int k = 0; k < 8; k++) out[b].sums[k] = d * (float)lanes[k];
    }
}

/// Σ_c W[r, c]·x[c] for float weights (F32/F16/BF16/F64), one value at a time.
static float float_dot(int format, const uint8_t *row, size_t cols, const float *x) {
    float acc = 0;
    for (size_t c = 0; c < cols; c++) {
        float w;
        switch (format) {
        case PTK_F16: w = ptk_half(row + 2 * c); break;
        case PTK_BF16: w = ptk_bhalf(row + 2 * c); break;
        case PTK_F64: { double v; memcpy(&v, row + 8 * c, 8); w = (float)v; break; }
        default: memcpy(&w, row + 4 * c, 4); break;
        }
        acc += w * x[c];
    }
    return acc;
}

static void ptk_matvec_portable(int format, const uint8_t *w, size_t row_bytes, size_t rows, size_t cols,
                                const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride,
                                size_t nx, float *y, size_t ldy) {
    const int quantized_activations = xq != NULL;
    if (ptk_block_elements(format) == 1) {
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < nx; j++) y[j * ldy + r] = float_dot(format, w + r * row_bytes, cols, xf + j * xf_stride);
        return;
    }
    size_t per = ptk_block_elements(format), size = ptk_block_bytes(format), units = (size_t)ptk_units(format);
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *row = w + r * row_bytes;
        for (size_t j = 0; j < nx; j++) {
            float acc = 0;
            for (size_t b = 0; b < cols / per; b++) {
                for (size_t u = 0; u < units; u++) {
                    float A[2], B[2];
                    int32_t codes[32];
                    ptk_unit_scales(format, row + b * size, (int)u, A, B, ptk_half);
                    ptk_unit_codes(format, row + b * size, (int)u, codes);
                    if (!quantized_activations) {
                        const float *x = xf + j * xf_stride + 32 * (b * units + u);
                        float s0 = 0, s1 = 0, m0 = 0, m1 = 0;
                        for (int k = 0; k < 16; k++) {
                            s0 += (float)codes[k] * x[k];
                            s1 += (float)codes[k + 16] * x[k + 16];
                            m0 += x[k];
                            m1 += x[k + 16];
                        }
                        acc += A[0] * s0 + A[1] * s1 + B[0] * m0 + B[1] * m1;
                        continue;
                    }
                    const ptk_q8_block *x = xq + j * xq_stride + b * units + u;
                    int32_t s0 = 0, s1 = 0;
                    for (int k = 0; k < 16; k++) { s0 += codes[k] * x->q[k]; s1 += codes[k + 16] * x->q[k + 16]; }
                    float m0 = x->sums[0] + x->sums[1] + x->sums[2] + x->sums[3];
                    float m1 = x->sums[4] + x->sums[5] + x->sums[6] + x->sums[7];
                    acc += x->d * (A[0] * (float)s0 + A[1] * (float)s1) + B[0] * m0 + B[1] * m1;
                }
            }
            y[j * ldy + r] = acc;
        }
    }
}

#if defined(__x86_64__)
/// The 256-bit kernels at `level` ≥ PTK_AVX2 (float activations against blocks first get each row's four-element
/// sums, the additive terms' lanes); the portable kernels when those sums cannot be allocated.
static void ptk_matvec_simd256(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t cols,
                               const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride, size_t nx,
                               float *y, size_t ldy) {
    float *lanes = NULL;
    if (!xq && ptk_block_elements(format) > 1) {
        lanes = malloc(sizeof(float) * (nx * (cols / 4) + 1));
        if (!lanes) {
            ptk_matvec_portable(format, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, nx, y, ldy);
            return;
        }
        for (size_t j = 0; j < nx; j++)
            for (size_t k = 0; k < cols / 4; k++) {
                const float *x = xf + j * xf_stride + 4 * k;
                lanes[j * (cols / 4) + k] = (x[0] + x[1]) + (x[2] + x[3]);
            }
    }
    if (level >= PTK_AVX512_VNNI)
        ptk_matvec_avx512(format, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, lanes, nx, y, ldy);
    else
        ptk_matvec_avx2(format, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, lanes, nx, y, ldy);
    free(lanes);
}
#endif

void ptk_matvec(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t cols,
                const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride, size_t nx,
                float *y, size_t ldy) {
    if (format < 0 || format >= PTK_FORMAT_COUNT) return;
#if defined(__x86_64__)
    // Float activations: 512-bit registers where the CPU has them and the format a kernel for them.
    if (level >= PTK_AVX512_VNNI && !xq &&
        ptk_matvec_float_avx512(format, (const uint8_t *)w, row_bytes, rows, cols, xf, xf_stride, nx, y, ldy))
        return;
    if (level >= PTK_AVX2) {
        ptk_matvec_simd256(level, format, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, nx, y, ldy);
        return;
    }
#endif
    ptk_matvec_portable(format, w, row_bytes, rows, cols, xq, xq_stride, xf, xf_stride, nx, y, ldy);
}

void ptk_matvec_float256(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t cols,
                         const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy) {
    if (format < 0 || format >= PTK_FORMAT_COUNT) return;
#if defined(__x86_64__)
    if (level >= PTK_AVX2) {
        ptk_matvec_simd256(level, format, w, row_bytes, rows, cols, NULL, 0, xf, xf_stride, nx, y, ldy);
        return;
    }
#endif
    ptk_matvec_portable(format, w, row_bytes, rows, cols, NULL, 0, xf, xf_stride, nx, y, ldy);
}

void ptk_dequantize(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t first_block,
                    size_t blocks, float *out, size_t ldo) {
    if (format < 0 || format >= PTK_FORMAT_COUNT) return;
    size_t size = ptk_block_bytes(format);
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *src = (const uint8_t *)w + r * row_bytes + first_block * size;
#if defined(__x86_64__)
        if (level >= PTK_AVX512_VNNI) { ptk_dequantize_avx512(format, src, blocks, out + r * ldo); continue; }
#endif
        ptk_dequantize_portable(format, src, blocks, out + r * ldo);
    }
}

int ptk_gemm_nt(int level, const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                float *panels, float *c, size_t ldc, int beta) {
#if defined(__x86_64__)
    if (level >= PTK_AVX512_VNNI) {
        ptk_gemm_nt_avx512(a, lda, m, k, b, ldb, n, panels, c, ldc, beta);
        return 1;
    }
#endif
    return 0;
}

int ptk_gemm_nn(int level, const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                float *c, size_t ldc, int beta) {
#if defined(__x86_64__)
    if (level >= PTK_AVX512_VNNI) {
        ptk_gemm_nn_avx512(a, lda, m, k, b, ldb, n, c, ldc, beta);
        return 1;
    }
#endif
    return 0;
}
