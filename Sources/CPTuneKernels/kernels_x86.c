// The x86 variants: AVX2 (integer dot products by vpmaddubsw) and AVX-512 VNNI (vpdpbusd), each compiled for its
// instruction set with clang's target attribute over the whole region, and chosen at run time by ptk_matvec's level.
#if defined(__x86_64__)
#include <stdlib.h>
#include "ptk_formats.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define PTK_SUFFIX avx2
#define PTK_DOT(u, q) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (q)), _mm256_set1_epi16(1))
#include "ptk_matvec_simd.h"
#undef PTK_SUFFIX
#undef PTK_DOT
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c"))), apply_to = function)
#define PTK_SUFFIX avx512
#define PTK_DOT(u, q) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (q))
#include "ptk_matvec_simd.h"
#undef PTK_SUFFIX
#undef PTK_DOT

#include "ptk_matvec_kquant512.h"
#include "ptk_matvec_float512.h"
#include "ptk_gemm512.h"

#define PTK_DEQUANT_NAME ptk_dequantize_avx512_impl
#include "ptk_dequant.h"
void ptk_dequantize_avx512(int format, const uint8_t *src, size_t blocks, float *y) {
    ptk_dequantize_avx512_impl(format, src, blocks, y);
}
#pragma clang attribute pop

#endif
