// Block decoders with the arithmetic of PTuneCore's BlockFormat decoders, operation for operation (no fused
// multiply-add), so the values are the same bits; written as plain loops that the compiler vectorises for the
// instruction set of the file that includes this one (PTK_DEQUANT_NAME names the entry point).
#ifndef PTK_DEQUANT_NAME
#error "define PTK_DEQUANT_NAME before including ptk_dequant.h"
#endif

#include "ptk_formats.h"

static void PTK_DEQUANT_NAME(int format, const uint8_t *src, size_t blocks, float *y) {
    switch (format) {
    case PTK_F32:
        memcpy(y, src, blocks * 4);
        return;
    case PTK_F16:
        for (size_t i = 0; i < blocks; i++) y[i] = ptk_half(src + 2 * i);
        return;
    case PTK_BF16:
        for (size_t i = 0; i < blocks; i++) y[i] = ptk_bhalf(src + 2 * i);
        return;
    case PTK_F64:
        for (size_t i = 0; i < blocks; i++) { double v; memcpy(&v, src + 8 * i, 8); y[i] = (float)v; }
        return;
    default:
        break;
    }
    size_t size = ptk_block_bytes(format);
    for (size_t i = 0; i < blocks; i++) {
        const uint8_t *b = src + i * size;
        switch (format) {
        case PTK_Q4_0: {
            float d = ptk_half(b);
            float *o = y + 32 * i;
            for (int j = 0; j < 16; j++) {
                o[j] = d * (float)((int32_t)(b[2 + j] & 0x0F) - 8);
                o[j + 16] = d * (float)((int32_t)(b[2 + j] >> 4) - 8);
            }
            break;
        }
        case PTK_Q4_1: {
            float d = ptk_half(b), m = ptk_half(b + 2);
            float *o = y + 32 * i;
            for (int j = 0; j < 16; j++) {
                o[j] = d * (float)(b[4 + j] & 0x0F) + m;
                o[j + 16] = d * (float)(b[4 + j] >> 4) + m;
            }
            break;
        }
        case PTK_Q5_0: case PTK_Q5_1: {
            int legacy0 = format == PTK_Q5_0;
            float d = ptk_half(b), m = legacy0 ? 0 : ptk_half(b + 2);
            const uint8_t *qh = b + (legacy0 ? 2 : 4), *qs = qh + 4;
            uint32_t high = (uint32_t)qh[0] | ((uint32_t)qh[1] << 8) | ((uint32_t)qh[2] << 16) | ((uint32_t)qh[3] << 24);
            float *o = y + 32 * i;
            for (int j = 0; j < 16; j++) {
                int32_t lo = (qs[j] & 0x0F) | (((high >> j) & 1) << 4);
                int32_t hi = (qs[j] >> 4) | (((high >> (j + 16)) & 1) << 4);
                if (legacy0) {
                    o[j] = d * (float)(lo - 16);
                    o[j + 16] = d * (float)(hi - 16);
                } else {
                    o[j] = d * (float)lo + m;
                    o[j + 16] = d * (float)hi + m;
                }
            }
            break;
        }
        case PTK_Q8_0: {
            float d = ptk_half(b);
            float *o = y + 32 * i;
            for (int j = 0; j < 32; j++) o[j] = d * (float)(int8_t)b[2 + j];
            break;
        }
        case PTK_Q2_K: {
            float d = ptk_half(b + 80), dmin = ptk_half(b + 82);
            for (int h = 0; h < 2; h++)
                for (int s = 0; s < 4; s++)
                    for (int g = 0; g < 2; g++) {
                        uint8_t sc = b[8 * h + 2 * s + g];
                        float dl = d * (float)(sc & 0x0F), ml = dmin * (float)(sc >> 4);
                        float *o = y + 256 * i + 128 * h + 32 * s + 16 * g;
                        const uint8_t *q = b + 16 + 32 * h + 16 * g;
                        for (int l = 0; l < 16; l++) o[l] = dl * (float)((q[l] >> (2 * s)) & 3) - ml;
                    }
            break;
        }
        case PTK_Q3_K: {
            float d = ptk_half(b + 108);
            for (int h = 0; h < 2; h++)
                for (int s = 0; s < 4; s++)
                    for (int g = 0; g < 2; g++) {
                        float dl = d * (float)ptk_scale_k3(8 * h + 2 * s + g, b + 96);
                        float *o = y + 256 * i + 128 * h + 32 * s + 16 * g;
                        for (int l = 0; l < 16; l++) {
                            int k = 16 * g + l;
                            int32_t q = (b[32 + 32 * h + k] >> (2 * s)) & 3;
                            int32_t set = (b[k] >> (4 * h + s)) & 1;
                            o[l] = dl * (float)(q - (set ? 0 : 4));
                        }
                    }
            break;
        }
        case PTK_Q4_K: case PTK_Q5_K: {
            int five = format == PTK_Q5_K;
            float d = ptk_half(b), dmin = ptk_half(b + 2);
            const uint8_t *qs = b + (five ? 48 : 16), *qh = b + 16;
            for (int c = 0; c < 4; c++) {
                int s1, m1, s2, m2;
                ptk_scale_min_k4(2 * c, b + 4, &s1, &m1);
                ptk_scale_min_k4(2 * c + 1, b + 4, &s2, &m2);
                float d1 = d * (float)s1, dm1 = dmin * (float)m1, d2 = d * (float)s2, dm2 = dmin * (float)m2;
                float *o = y + 256 * i + 64 * c;
                for (int l = 0; l < 32; l++) {
                    uint8_t q = qs[32 * c + l];
                    int32_t h1 = five ? ((qh[l] >> (2 * c)) & 1) << 4 : 0;
                    int32_t h2 = five ? ((qh[l] >> (2 * c + 1)) & 1) << 4 : 0;
                    o[l] = d1 * (float)((q & 0x0F) | h1) - dm1;
                    o[l + 32] = d2 * (float)((q >> 4) | h2) - dm2;
                }
            }
            break;
        }
        case PTK_Q6_K: {
            float d = ptk_half(b + 208);
            for (int h = 0; h < 2; h++)
                for (int k = 0; k < 4; k++) {
                    float *o = y + 256 * i + 128 * h + 32 * k;
                    for (int l = 0; l < 32; l++) {
                        uint8_t ql = b[64 * h + 32 * (k % 2) + l];
                        int32_t low = k < 2 ? ql & 0x0F : ql >> 4;
                        int32_t high = (b[128 + 32 * h + l] >> (2 * k)) & 3;
                        int32_t q = (low | (high << 4)) - 32;
                        float sc = (float)(int8_t)b[192 + 8 * h + 2 * k + l / 16];
                        o[l] = (d * sc) * (float)q;
                    }
                }
            break;
        }
        default:
            break;
        }
    }
}
