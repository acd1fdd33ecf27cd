// The block formats as the kernels see them: each block is cut into units of 32 elements, and a unit's dot product
// with 32 quantized activations x ≈ d_a·q is
//
//     d_a·(A₀·S₀ + A₁·S₁) + B₀·Σ₀ + B₁·Σ₁,   S_h = Σ codes·q over half h (16 elements), Σ_h = Σ x over half h,
//
// where the codes are the unsigned integers stored in the block (signed for Q8_0) and A, B are the unit's float
// scales: element value = A_h·code + B_h. Formats with one scale per 32 elements have A₀ = A₁ and B₀ = B₁.
// Included by every kernel file, so each instruction-set variant gets its own inlined copy.
#ifndef PTK_FORMATS_H
#define PTK_FORMATS_H

#pragma STDC FP_CONTRACT OFF

#include <stdint.h>
#include <string.h>
#include "ptune_kernels.h"

/// The exact float32 value of the IEEE binary16 at `p` (little-endian).
static inline float ptk_half(const uint8_t *p) {
    uint32_t h = (uint32_t)p[0] | ((uint32_t)p[1] << 8);
    uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0) {
        float magnitude = (float)mantissa * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    } else if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// The float32 value of the bfloat16 at `p`.
static inline float ptk_bhalf(const uint8_t *p) {
    uint32_t bits = ((uint32_t)p[0] | ((uint32_t)p[1] << 8)) << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// Units of 32 elements per block.
static inline int ptk_units(int format) { return format >= PTK_Q2_K ? 8 : 1; }

/// Q4_K/Q5_K: the 6-bit scale and minimum of group j (0…7) from the 12 bytes at `s`.
static inline void ptk_scale_min_k4(int j, const uint8_t *s, int *scale, int *min) {
    if (j < 4) {
        *scale = s[j] & 63;
        *min = s[j + 4] & 63;
    } else {
        *scale = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        *min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

/// Q3_K: the signed scale of group g (0…15) from the 12 bytes at `s`.
static inline int ptk_scale_k3(int g, const uint8_t *s) {
    int low = (s[g % 8] >> (4 * (g / 8))) & 0x0F;
    int high = (s[8 + g % 4] >> (2 * (g / 4))) & 0x03;
    return (low | (high << 4)) - 32;
}

/// A half-to-float conversion (the exact scalar one, or F16C's in the SIMD variants).
typedef float (*ptk_half_fn)(const uint8_t *);

/// The scales A, B of unit `u` of the block at `b` (see the top of this file), halves read by `half`.
static inline __attribute__((always_inline)) void ptk_unit_scales(int format, const uint8_t *b, int u, float A[2],
                                                                  float B[2], ptk_half_fn half) {
    float d, m;
    int sc, mn;
    switch (format) {
    case PTK_Q4_0: d = half(b); A[0] = A[1] = d; B[0] = B[1] = -8.0f * d; return;
    case PTK_Q4_1: case PTK_Q5_1: A[0] = A[1] = half(b); B[0] = B[1] = half(b + 2); return;
    case PTK_Q5_0: d = half(b); A[0] = A[1] = d; B[0] = B[1] = -16.0f * d; return;
    case PTK_Q8_0: A[0] = A[1] = half(b); B[0] = B[1] = 0; return;
    case PTK_Q2_K: {
        d = half(b + 80); m = half(b + 82);
        for (int g = 0; g < 2; g++) {
            uint8_t s = b[8 * (u / 4) + 2 * (u % 4) + g];
            A[g] = d * (float)(s & 0x0F);
            B[g] = -(m * (float)(s >> 4));
        }
        return;
    }
    case PTK_Q3_K: {
        d = half(b + 108);
        for (int g = 0; g < 2; g++) {
            A[g] = d * (float)ptk_scale_k3(8 * (u / 4) + 2 * (u % 4) + g, b + 96);
            B[g] = -4.0f * A[g];
        }
        return;
    }
    case PTK_Q4_K: case PTK_Q5_K:
        d = half(b); m = half(b + 2);
        ptk_scale_min_k4(u, b + 4, &sc, &mn);
        A[0] = A[1] = d * (float)sc;
        B[0] = B[1] = -(m * (float)mn);
        return;
    case PTK_Q6_K: {
        d = half(b + 208);
        for (int g = 0; g < 2; g++) {
            A[g] = d * (float)(int8_t)b[192 + 8 * (u / 4) + 2 * (u % 4) + g];
            B[g] = -32.0f * A[g];
        }
        return;
    }
    default: A[0] = A[1] = B[0] = B[1] = 0; return;
    }
}

/// The 32 integer codes of unit `u` of the block at `b` (unsigned; Q8_0's signed).
static inline void ptk_unit_codes(int format, const uint8_t *b, int u, int32_t c[32]) {
    switch (format) {
    case PTK_Q4_0: case PTK_Q4_1: {
        const uint8_t *qs = b + (format == PTK_Q4_0 ? 2 : 4);
        for (int j = 0; j < 16; j++) { c[j] = qs[j] & 0x0F; c[j + 16] = qs[j] >> 4; }
        return;
    }
    case PTK_Q5_0: case PTK_Q5_1: {
        const uint8_t *qh = b + (format == PTK_Q5_0 ? 2 : 4), *qs = qh + 4;
        uint32_t high = (uint32_t)qh[0] | ((uint32_t)qh[1] << 8) | ((uint32_t)qh[2] << 16) | ((uint32_t)qh[3] << 24);
        for (int j = 0; j < 16; j++) {
            c[j] = (qs[j] & 0x0F) | (((high >> j) & 1) << 4);
            c[j + 16] = (qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4);
        }
        return;
    }
    case PTK_Q8_0:
        for (int j = 0; j < 32; j++) c[j] = (int8_t)b[2 + j];
        return;
    case PTK_Q2_K: {
        int h = u / 4, s = u % 4;
        for (int j = 0; j < 32; j++) c[j] = (b[16 + 32 * h + j] >> (2 * s)) & 3;
        return;
    }
    case PTK_Q3_K: {
        int h = u / 4, s = u % 4;
        for (int j = 0; j < 32; j++) c[j] = ((b[32 + 32 * h + j] >> (2 * s)) & 3) | (((b[j] >> (4 * h + s)) & 1) << 2);
        return;
    }
    case PTK_Q4_K: {
        const uint8_t *qs = b + 16 + 32 * (u / 2);
        for (int j = 0; j < 32; j++) c[j] = (u & 1) ? qs[j] >> 4 : qs[j] & 0x0F;
        return;
    }
    case PTK_Q5_K: {
        const uint8_t *qs = b + 48 + 32 * (u / 2);
        for (int j = 0; j < 32; j++) c[j] = ((u & 1) ? qs[j] >> 4 : qs[j] & 0x0F) | (((b[16 + j] >> u) & 1) << 4);
        return;
    }
    case PTK_Q6_K: {
        int h = u / 4, k = u % 4;
        const uint8_t *ql = b + 64 * h + 32 * (k % 2), *qh = b + 128 + 32 * h;
        for (int j = 0; j < 32; j++) c[j] = (k < 2 ? ql[j] & 0x0F : ql[j] >> 4) | (((qh[j] >> (2 * k)) & 3) << 4);
        return;
    }
    default:
        for (int j = 0; j < 32; j++) c[j] = 0;
        return;
    }
}

#endif
