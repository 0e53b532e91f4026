package dev.panamax.kernels.cuda;

/**
 * Launch configurations of the kernels: how many blocks of how many threads cover a shape. Plain
 * arithmetic, kept apart from the driver calls so it can be tested without a GPU. The constants
 * mirror the {@code #define}s of the CUDA sources.
 *
 * @param gridX  blocks along x
 * @param gridY  blocks along y
 * @param block  threads per block
 */
record Launch(int gridX, int gridY, int block) {
    /** Threads per block of the element-wise and row kernels. */
    static final int THREADS = 256;
    /** Upper bound of a grid-stride loop's grid: enough blocks to fill any current GPU many times. */
    static final int MAX_STRIDED_BLOCKS = 1 << 16;
    /** Output tile edge of matmul_tiled_* and matmul_wmma_* (TILE in matmul.cu). */
    static final int TILE = 64;
    /** Warps per block of matvec_* (MATVEC_WARPS in matvec.cu): one output column each. */
    static final int MATVEC_WARPS = 8;
    /** Warps per block of attention_* (ATTENTION_WARPS in attention.cu). */
    static final int ATTENTION_WARPS = 8;
    /** Largest head dimension attention_* holds in registers (32 * MAX_PER_LANE in attention.cu). */
    static final int MAX_HEAD_DIM = 256;
    /** Below this many activation rows, matmul reads each weight once per row with matvec_*. */
    static final int MATVEC_MAX_ROWS = 8;
    /** CUDA's limit on gridDim.y. */
    static final int MAX_GRID_Y = 65_535;

    Launch {
        if (gridX < 1 || gridY < 1 || gridY > MAX_GRID_Y || block < 32 || block > 1024 || block % 32 != 0) {
            throw new IllegalArgumentException("invalid launch: grid " + gridX + "x" + gridY + ", block " + block);
        }
    }

    /** A grid-stride loop over {@code n >= 1} elements. */
    static Launch strided(long n) {
        return new Launch((int) Math.min(ceilDiv(n, THREADS), MAX_STRIDED_BLOCKS), 1, THREADS);
    }

    /** One block per row. */
    static Launch rows(long rows) {
        return new Launch(Math.toIntExact(rows), 1, THREADS);
    }

    /** matvec_*: one warp per output column, grid y = activation rows. */
    static Launch matvec(long m, long n) {
        return new Launch(Math.toIntExact(ceilDiv(n, MATVEC_WARPS)), Math.toIntExact(m), 32 * MATVEC_WARPS);
    }

    /** matmul_tiled_* (256 threads) and matmul_wmma_* (4 warps): one block per 64x64 output tile. */
    static Launch tiles(long m, long n, boolean tensorCores) {
        return new Launch(Math.toIntExact(ceilDiv(n, TILE)), Math.toIntExact(ceilDiv(m, TILE)), tensorCores ? 128 : THREADS);
    }

    /** attention_*: one block per (query head, token). */
    static Launch attention(long heads, long tokens) {
        return new Launch(Math.toIntExact(heads), Math.toIntExact(tokens), 32 * ATTENTION_WARPS);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
