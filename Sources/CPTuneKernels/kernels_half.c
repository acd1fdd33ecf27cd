// Conversions between float32 and IEEE binary16 over arrays (a float16 KV cache): F16C's vcvtps2ph/vcvtph2ps at
// PTK_AVX2 and above, bit-pattern arithmetic on any other CPU, the same values either way (round to nearest even).
#include <string.h>
#include "ptk_formats.h"

/// The nearest binary16 to `f` (round to nearest even, overflow to infinity, NaN kept quiet).
static uint16_t half_of(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    int exponent = (int)((bits >> 23) & 0xFF);
    uint32_t mantissa = bits & 0x7FFFFFu;
    if (exponent == 0xFF) return sign | 0x7C00u | (mantissa ? (uint16_t)(0x200u | (mantissa >> 13)) : 0);
    int e = exponent - 127 + 15;
    if (e >= 0x1F) return sign | 0x7C00u;
    if (e <= 0) {
        if (e < -10) return sign;
        uint32_t full = mantissa | 0x800000u, shift = (uint32_t)(14 - e);
        uint32_t result = full >> shift, remainder = full & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (result & 1u))) result += 1;
        return sign | (uint16_t)result;
    }
    uint32_t result = ((uint32_t)e << 10) | (mantissa >> 13), remainder = mantissa & 0x1FFFu;
    if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u))) result += 1;
    return sign | (uint16_t)result;
}

/// The float of the binary16 `h` (exact).
static float widen(uint16_t h) {
    const uint8_t bytes[2] = {(uint8_t)(h & 0xFF), (uint8_t)(h >> 8)};
    return ptk_half(bytes);
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2,f16c"))) static void to_half_f16c(const float *x, size_t n, uint16_t *out) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(out + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) out[i] = half_of(x[i]);
}

__attribute__((target("avx2,f16c"))) static void to_float_f16c(const uint16_t *h, size_t n, float *out) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
    for (; i < n; i++) out[i] = widen(h[i]);
}
#endif

void ptk_float_to_half(int level, const float *x, size_t n, uint16_t *out) {
#if defined(__x86_64__)
    if (level >= PTK_AVX2) { to_half_f16c(x, n, out); return; }
#endif
    for (size_t i = 0; i < n; i++) out[i] = half_of(x[i]);
}

void ptk_half_to_float(int level, const uint16_t *h, size_t n, float *out) {
#if defined(__x86_64__)
    if (level >= PTK_AVX2) { to_float_f16c(h, n, out); return; }
#endif
    for (size_t i = 0; i < n; i++) out[i] = widen(h[i]);
}
