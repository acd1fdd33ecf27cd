#ifndef PTUNE_KERNELS_H
#define PTUNE_KERNELS_H
// Kernels over ggml's block formats that Swift cannot express well: integer dot products on AVX2 and AVX-512 VNNI
// (each SIMD variant is a function compiled for its instruction set with a target attribute) chosen at run time by
// the caller's level, and a portable variant for every other CPU. Layouts: PTuneCore's BlockFormat.

#include <stddef.h>
#include <stdint.h>

/// The block formats, in the order of PTuneCore's BlockFormat cases.
typedef enum ptk_format {
    PTK_F32 = 0, PTK_F16, PTK_BF16, PTK_F64,
    PTK_Q4_0, PTK_Q4_1, PTK_Q5_0, PTK_Q5_1, PTK_Q8_0,
    PTK_Q2_K, PTK_Q3_K, PTK_Q4_K, PTK_Q5_K, PTK_Q6_K,
    PTK_FORMAT_COUNT
} ptk_format;

/// Instruction-set levels, each a superset of the one before.
typedef enum ptk_level {
    /// Plain C: any CPU.
    PTK_PORTABLE = 0,
    /// AVX2, FMA and F16C.
    PTK_AVX2 = 1,
    /// AVX-512 F/BW/VL with VNNI (integer dot products of bytes).
    PTK_AVX512_VNNI = 2,
} ptk_level;

/// The highest level this CPU runs.
int ptk_detected_level(void);

/// 32 activations quantized to 8 bits: x[i] ≈ d·q[i]. `sums[k]` is d·(q[4k] + … + q[4k+3]), the lanes of a
/// byte dot product, so a format's additive term costs one multiply-add per 32 elements.
typedef struct ptk_q8_block {
    float d;
    int8_t q[32];
    float sums[8];
} ptk_q8_block;

/// Quantizes `n` floats (a multiple of 32) to n/32 blocks: d = max|x|/127, q = round(x/d).
void ptk_quantize_q8(const float *x, size_t n, ptk_q8_block *out);

/// `y[j·ldy + r] = Σ_c W[r, c]·x_j[c]` for rows r < `rows` of a matrix whose rows are `row_bytes` apart in format
/// `format`, `cols` columns (a whole number of blocks), and `nx` activation rows. With `xq` (nx rows of cols/32
/// blocks, `xq_stride` blocks apart) quantized formats take 8-bit activations and integer dot products; otherwise
/// every format reads the float activations `xf` (rows `xf_stride` apart) and widens the weight codes to floats.
void ptk_matvec(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t cols,
                const ptk_q8_block *xq, size_t xq_stride, const float *xf, size_t xf_stride, size_t nx,
                float *y, size_t ldy);

/// ``ptk_matvec`` with float activations on the 256-bit kernels alone (at `level` AVX2 or AVX-512 VNNI; the
/// portable ones below), never the 512-bit ones: the path of every format without a 512-bit kernel, callable so a
/// benchmark can compare the two in one process.
void ptk_matvec_float256(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t cols,
                         const float *xf, size_t xf_stride, size_t nx, float *y, size_t ldy);

/// Decodes blocks `first_block ..< first_block + blocks` of `rows` rows (`row_bytes` apart) to float32, row r to
/// `out + r·ldo`: bit for bit the values of BlockFormat's decoders.
void ptk_dequantize(int level, int format, const void *w, size_t row_bytes, size_t rows, size_t first_block,
                    size_t blocks, float *out, size_t ldo);

/// The float32 product with a decoded weight tile `b` [n, k] (rows `ldb` apart): `c[i·ldc + j] = Σ_p a[i·lda + p]·
/// b[j·ldb + p] (+ c[i·ldc + j] when `beta`)` for i < m, j < n. The tile is first packed into `panels` (16·⌈n/16⌉·k
/// floats). Returns 0 without touching `c` when `level` has no kernel for it (below `PTK_AVX512_VNNI`): the caller
/// then runs sgemm.
int ptk_gemm_nt(int level, const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                float *panels, float *c, size_t ldc, int beta);
/// As ``ptk_gemm_nt`` with a row-major tile `b` [k, n]: `c[i·ldc + j] = Σ_p a[i·lda + p]·b[p·ldb + j]` (+ c).
int ptk_gemm_nn(int level, const float *a, size_t lda, size_t m, size_t k, const float *b, size_t ldb, size_t n,
                float *c, size_t ldc, int beta);

/// Rounds `n` floats to IEEE binary16 bit patterns (to nearest, ties to even; F16C at `PTK_AVX2` and above).
void ptk_float_to_half(int level, const float *x, size_t n, uint16_t *out);
/// Widens `n` IEEE binary16 bit patterns to floats (exactly).
void ptk_half_to_float(int level, const uint16_t *h, size_t n, float *out);

/// Attention scores of `nq` queries (`hd` floats each, `q_stride` apart) against `n` key rows of `hd` elements,
/// `k_stride` elements apart, float32 or (with `half`) IEEE binary16: `s[j·ld + c] = q_j · k_c`.
void ptk_attention_scores(int level, const float *q, size_t q_stride, size_t nq, const void *k, int half,
                          size_t k_stride, size_t n, size_t hd, float *s, size_t ld);
/// The weighted sum of `n` value rows (as the keys above) for `nq` queries: `o_j += Σ_c p[j·ld + c] · v_c`, each
/// `o_j` `hd` floats, `o_stride` apart.
void ptk_attention_values(int level, const float *p, size_t ld, size_t nq, const void *v, int half, size_t v_stride,
                          size_t n, size_t hd, float *o, size_t o_stride);

/// Elements per block of `format` (1 for plain floats).
size_t ptk_block_elements(int format);
/// Bytes per block of `format`.
size_t ptk_block_bytes(int format);

/// SwiGLU on `rows` float32 rows `[g | u]` of 2·`f` elements: `y[r·f + j] = g·σ(g)·u` (σ through FastMath's eˣ);
/// the same values at every level.
void ptk_swiglu_forward(int level, const float *x, size_t rows, size_t f, float *y);
/// The gradient of ``ptk_swiglu_forward`` into `dx` (`rows` rows of 2·`f`): `dg = dy·u·σ(g)·(1 + g·(1 − σ(g)))`,
/// `du = dy·g·σ(g)`.
void ptk_swiglu_backward(int level, const float *x, const float *dy, size_t rows, size_t f, float *dx);

#endif
