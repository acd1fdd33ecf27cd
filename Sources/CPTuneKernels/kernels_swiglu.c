// SwiGLU over float32 rows [g | u] (a gated MLP's fused gate and up projections): y = g·σ(g)·u forward, and
// dg = dy·u·σ(g)·(1 + g·(1 − σ(g))), du = dy·g·σ(g) backward. σ(g) = 1/(1 + e^−g) with PTuneCore's FastMath eˣ
// (Cody–Waite reduction, degree-7 Taylor polynomial, 2ᵏ in the exponent bits), every operation in the same order
// and without contraction, so AVX-512, AVX2 and the portable loop give the same values bit for bit.
#include "ptk_formats.h"

#define PTK_EXP_HI 88.3762626647949f
#define PTK_EXP_LO (-87.3365447504f)
#define PTK_MAGIC 12582912.0f

/// eˣ as FastMath.exp computes it on lanes (the range checks replace lanes outside the finite range).
static inline float exp_lane(float x) {
    float t = x * 1.44269504088896341f + PTK_MAGIC;
    float k = t - PTK_MAGIC;
    float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = (float)(1.0 / 5040);
    p = p * r + (float)(1.0 / 720); p = p * r + (float)(1.0 / 120); p = p * r + (float)(1.0 / 24);
    p = p * r + (float)(1.0 / 6); p = p * r + 0.5f; p = p * r + 1.0f; p = p * r + 1.0f;
    int32_t tb;
    memcpy(&tb, &t, 4);
    uint32_t sb = (uint32_t)(tb - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &sb, 4);
    float e = p * scale;
    if (x > PTK_EXP_HI) e = __builtin_inff();
    if (x < PTK_EXP_LO) e = 0;
    return e;
}

static inline void swiglu_forward_lane(const float *x, size_t f, size_t j, float *y) {
    float g = x[j], s = 1.0f / (1.0f + exp_lane(-g));
    y[j] = g * s * x[f + j];
}

static inline void swiglu_backward_lane(const float *x, const float *dy, size_t f, size_t j, float *dx) {
    float g = x[j], u = x[f + j], d = dy[j], s = 1.0f / (1.0f + exp_lane(-g));
    dx[j] = d * u * s * (1.0f + g * (1.0f - s));
    dx[f + j] = d * g * s;
}

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c"))), apply_to = function)
static inline __m512 sigmoid16(__m512 g) {
    const __m512 magic = _mm512_set1_ps(PTK_MAGIC), one = _mm512_set1_ps(1.0f);
    __m512 x = _mm512_sub_ps(_mm512_setzero_ps(), g);
    __m512 t = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), magic);
    __m512 k = _mm512_sub_ps(t, magic);
    __m512 r = _mm512_sub_ps(_mm512_sub_ps(x, _mm512_mul_ps(k, _mm512_set1_ps(0.693359375f))),
                             _mm512_mul_ps(k, _mm512_set1_ps(-2.12194440e-4f)));
    __m512 p = _mm512_set1_ps((float)(1.0 / 5040));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps((float)(1.0 / 720)));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps((float)(1.0 / 120)));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps((float)(1.0 / 24)));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps((float)(1.0 / 6)));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(0.5f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), one);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), one);
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000)),
                                                      _mm512_set1_epi32(127)), 23);
    __m512 e = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
    e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(PTK_EXP_HI), _CMP_GT_OQ), e, _mm512_set1_ps(__builtin_inff()));
    e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(PTK_EXP_LO), _CMP_LT_OQ), e, _mm512_setzero_ps());
    return _mm512_div_ps(one, _mm512_add_ps(one, e));
}

static void swiglu_forward_avx512(const float *x, size_t f, float *y) {
    size_t j = 0;
    for (; j + 16 <= f; j += 16) {
        __m512 g = _mm512_loadu_ps(x + j), u = _mm512_loadu_ps(x + f + j);
        _mm512_storeu_ps(y + j, _mm512_mul_ps(_mm512_mul_ps(g, sigmoid16(g)), u));
    }
    for (; j < f; j++) swiglu_forward_lane(x, f, j, y);
}

static void swiglu_backward_avx512(const float *x, const float *dy, size_t f, float *dx) {
    const __m512 one = _mm512_set1_ps(1.0f);
    size_t j = 0;
    for (; j + 16 <= f; j += 16) {
        __m512 g = _mm512_loadu_ps(x + j), u = _mm512_loadu_ps(x + f + j), d = _mm512_loadu_ps(dy + j), s = sigmoid16(g);
        __m512 slope = _mm512_add_ps(one, _mm512_mul_ps(g, _mm512_sub_ps(one, s)));
        _mm512_storeu_ps(dx + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(d, u), s), slope));
        _mm512_storeu_ps(dx + f + j, _mm512_mul_ps(_mm512_mul_ps(d, g), s));
    }
    for (; j < f; j++) swiglu_backward_lane(x, dy, f, j, dx);
}
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
static inline __m256 sigmoid8(__m256 g) {
    const __m256 magic = _mm256_set1_ps(PTK_MAGIC), one = _mm256_set1_ps(1.0f);
    __m256 x = _mm256_sub_ps(_mm256_setzero_ps(), g);
    __m256 t = _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), magic);
    __m256 k = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_sub_ps(_mm256_sub_ps(x, _mm256_mul_ps(k, _mm256_set1_ps(0.693359375f))),
                             _mm256_mul_ps(k, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 p = _mm256_set1_ps((float)(1.0 / 5040));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)(1.0 / 720)));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)(1.0 / 120)));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)(1.0 / 24)));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps((float)(1.0 / 6)));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(0.5f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), one);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), one);
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000)),
                                                      _mm256_set1_epi32(127)), 23);
    __m256 e = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
    e = _mm256_blendv_ps(e, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(x, _mm256_set1_ps(PTK_EXP_HI), _CMP_GT_OQ));
    e = _mm256_blendv_ps(e, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(PTK_EXP_LO), _CMP_LT_OQ));
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

static void swiglu_forward_avx2(const float *x, size_t f, float *y) {
    size_t j = 0;
    for (; j + 8 <= f; j += 8) {
        __m256 g = _mm256_loadu_ps(x + j), u = _mm256_loadu_ps(x + f + j);
        _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid8(g)), u));
    }
    for (; j < f; j++) swiglu_forward_lane(x, f, j, y);
}

static void swiglu_backward_avx2(const float *x, const float *dy, size_t f, float *dx) {
    const __m256 one = _mm256_set1_ps(1.0f);
    size_t j = 0;
    for (; j + 8 <= f; j += 8) {
        __m256 g = _mm256_loadu_ps(x + j), u = _mm256_loadu_ps(x + f + j), d = _mm256_loadu_ps(dy + j), s = sigmoid8(g);
        __m256 slope = _mm256_add_ps(one, _mm256_mul_ps(g, _mm256_sub_ps(one, s)));
        _mm256_storeu_ps(dx + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(d, u), s), slope));
        _mm256_storeu_ps(dx + f + j, _mm256_mul_ps(_mm256_mul_ps(d, g), s));
    }
    for (; j < f; j++) swiglu_backward_lane(x, dy, f, j, dx);
}
#pragma clang attribute pop
#endif

void ptk_swiglu_forward(int level, const float *x, size_t rows, size_t f, float *y) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * 2 * f;
        float *yr = y + r * f;
#if defined(__x86_64__)
        if (level >= PTK_AVX512_VNNI) { swiglu_forward_avx512(xr, f, yr); continue; }
        if (level >= PTK_AVX2) { swiglu_forward_avx2(xr, f, yr); continue; }
#endif
        for (size_t j = 0; j < f; j++) swiglu_forward_lane(xr, f, j, yr);
    }
}

void ptk_swiglu_backward(int level, const float *x, const float *dy, size_t rows, size_t f, float *dx) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * 2 * f, *dr = dy + r * f;
        float *or = dx + r * 2 * f;
#if defined(__x86_64__)
        if (level >= PTK_AVX512_VNNI) { swiglu_backward_avx512(xr, dr, f, or); continue; }
        if (level >= PTK_AVX2) { swiglu_backward_avx2(xr, dr, f, or); continue; }
#endif
        for (size_t j = 0; j < f; j++) swiglu_backward_lane(xr, dr, f, j, or);
    }
}
