package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Fast {@code out[m, n] = sum_k x[m, k] * w[n, k]} on the CPU: Vector API kernels, split over the
 * threads of a {@link ParallelFor}, weights of any supported dtype read in place.
 *
 * <p>Two paths:
 * <ul>
 * <li>Few rows of x (decode; {@code M <} 4 to 10 by dtype, see {@link #gemmMinRows}): memory-bound matrix-vector
 * products. Each thread takes chunks of weight rows and dots each row with every x row while it is
 * in cache. With 512-bit vectors Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K ... Q6_K weights meet x
 * in float ({@link WideDots}), except Q4_0, Q4_K and Q6_K, which meet x quantized to 8 bits two products per 32-bit multiply ({@link PairDots}),
 * and Q8_0 where {@link DotRoutes} picks the integer kernel for the machine (Zen 4) (it also picks how Q4_0's scales are read);
 * Q4_K and Q6_K take those dots two weight rows per pass ({@link TwoRowPairDots}, the same bits) where {@link DotRoutes}
 * says so (all but Zen 4);
 * otherwise Q8_0 and Q4_0 weights meet x quantized to Q8_0, and Q4_K, Q5_K and Q6_K meet Q8_K, in
 * integer kernels ({@link VectorDots}); F32 weights four rows at a time ({@link RowGroupDots}), BF16 read as floats; the other dtypes (on narrow
 * vectors also Q4_1, Q5_0, Q5_1, Q2_K, Q3_K) are decoded one row at a time into a float buffer. Each dtype has its own row loop
 * ({@link MatvecLoops}).</li>
 * <li>2 (4 for Q5_K on 512-bit vectors: {@link FewRowsLoops#minRows}) to {@value FewRowsLoops#MAX_ROWS} rows of x of the commonest dtypes (a decode step of several sequences):
 * each weight slice is decoded to floats once and dotted with every row of x ({@link FewRowsLoops}), where the
 * matrix-vector kernels would decode it again for each row. Q4_K and Q6_K on 512-bit vectors instead unpack each weight
 * block's integer codes once for the 8-bit pairs of every row ({@link PairRows}), bit for bit its one-row dot.</li>
 * <li>More rows (prefill): a cache-blocked GEMM. Each thread takes blocks of {@value #NC} weight
 * rows, decodes ({@link VectorDecoder} for Q8_0 and Q4_K, else {@link WeightDecoder}) and packs
 * {@value #KC}-wide slices of them into an F32 panel once, and runs the
 * {@link GemmKernel} micro-kernel over all rows of x, so dequantization is paid once per M rows.
 * When there are fewer than two weight blocks per thread, the rows of x are split too.</li>
 * <li>A wide batch ({@code M >=} {@link #WIDE_BATCH_ROWS}, a prompt): x is packed once per call and
 * each thread decodes blocks of weight rows row-major, with no transpose, for all rows of x
 * ({@link #wideGemmTasks}).</li>
 * </ul>
 *
 * <p>The kernels use 256-bit vectors (AVX2), and 512-bit ones (AVX-512) where the hardware prefers
 * them; on hardware with narrower vectors the Vector API would emulate them slowly.
 *
 * <p>Scratch buffers are allocated once per thread and grown on demand; a call allocates nothing
 * once they are large enough. One caller thread at a time.
 */
public final class CpuMatmul {
    /**
     * From how many rows of x on the GEMM path beats the matrix-vector path, which costs about M
     * dots per weight, against one float decode per weight (then 80 GFLOP/s of FMA). Per dtype,
     * for 4096 x 4096 on one Zen 3 core: Q4_K dots 2.7 ms per row of x vs 9 ms to decode with
     * {@link VectorDecoder} (measured: M = 7 by dots 18.8 ms, M = 64 by GEMM 36 ms); Q8_0 1.5 ms
     * vs 8.5 ms; Q4_0 and Q5_K (scalar decode, ~17-20 ms) later; the rest decode in both paths.
     * Q4_K and Q6_K take the dots up to 9 rows, a decode step of up to 9 sequences decoded together
     * ({@code Model.newBatch}): on the AVX-512 Xeon the 512-bit dots beat the small-M GEMM there (its Q6_K
     * decode is scalar), 8 sequences of a Q4_K_M TinyLlama 2.2x faster end to end (docs/benchmarks.md).
     * The dtypes of {@link FewRowsLoops#supports} take the few-rows path from {@link FewRowsLoops#minRows} rows on,
     * whatever this says.
     */
    static int gemmMinRows(DType type) {
        return switch (type) {
            case Q8_0 -> 6;
            case Q4_0, Q4_K, Q5_K, Q6_K -> 10;
            default -> 4;
        };
    }

    /** Slice of K packed at once: a multiple of every block size (256), 32 KiB per 16 weight rows. */
    static final int KC = 512;
    /** Weight rows per GEMM task: a packed 128 x 512 panel is 256 KiB, at home in Zen 3's 512 KiB L2. */
    static final int NC = 128;

    /**
     * From how many rows of x the GEMM packs x instead of the weights ({@link #wideGemmTasks}): x is then
     * padded to whole chunks of {@link GemmKernel#NR} rows, so fewer rows would waste more multiply-adds
     * than the transposing weight packing of the narrow-batch GEMM costs.
     */
    static final int WIDE_BATCH_ROWS = GemmKernel.NR;
    /**
     * Slice of K per wide-batch GEMM pass, a multiple of every block size: a chunk of packed x is then
     * 256 x 32 floats (32 KiB), which stays in the 48 KiB L1 while a task's weight tiles run over it. The
     * tiles accumulate across slices in a per-task float buffer (vector loads and stores in the
     * micro-kernel), so slicing costs no scalar read-add-write of out.
     */
    static final int KC_WIDE = 256;
    /**
     * Weight rows per wide-batch GEMM task, a multiple of {@link GemmKernel#WIDE_MR}: each chunk of packed x
     * that a task brings into L1 serves {@code NC_WIDE / WIDE_MR} micro-kernel calls, so more rows read x
     * from L3 less often. With 512-bit vectors 48 rows (48 x 256 decoded floats, 48 KiB). With 256-bit
     * vectors 96 rows (96 KiB of decoded weights, at home in L2): on a 2-vCPU Zen 3 VM, 512 x 2048 x 2048
     * at 24 rows ran at 0.35-0.45 of FMA peak per CPU-second, at 96 to 192 rows at 0.50-0.63.
     */
    static final int NC_WIDE = (WideDots.AVAILABLE ? 4 : 16) * GemmKernel.WIDE_MR;
    /**
     * {@link #NC_WIDE} on the packed route ({@link GemmRoutes}, a 2 MiB L2 as Sapphire Rapids'): 192 rows, a multiple of
     * both tile heights, so each 32 KiB chunk of packed x read from L3 serves 16 micro-kernel calls (192 KiB of decoded
     * weights stay in L2). Measured with 512 x 2048 x 2048 under load (thread CPU time): 96 rows 103-109 GFLOP/s,
     * 192 rows 114-129; kc 128 or 512 instead of 256 and a tile-outer loop order changed nothing beyond the noise.
     */
    static final int NC_WIDE_PACKED = 192;

    /**
     * Weight rows per OpenBLAS call ({@link #blasGemmTasks}): each call packs all of x again, so blocks are
     * large (256 x 2048 decoded floats are 2 MiB); fewer when there would be under two blocks per thread.
     */
    static final int BLAS_ROWS = 256;

    /**
     * Multiply-adds ({@code M N K}) below which a matmul runs on the caller's thread alone: handing work
     * to the team costs a few microseconds (more on a busy or virtual machine), as much as about 64 Ki
     * multiply-adds take. Small models (stories260K: 64 x 64 to 512 x 64 weights) are made of such
     * matmuls; see docs/benchmarks.md for the measurement.
     */
    static final long INLINE_WORK = 1L << 16;

    /** Matrix-vector products hand each thread about this many chunks of weight rows (see {@link #matmul}). */
    static final int MATVEC_CHUNKS_PER_THREAD = 4;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ParallelFor pool;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final QuantizedActivations activations = new QuantizedActivations();
    private final ParallelFor.Body matvecBody = this::matvecRows;
    private final ParallelFor.Body groupBody = this::groupTasks;
    private final ParallelFor.Body fewRowsBody = this::fewRows;
    private final ParallelFor.Body pairRowsBody = this::pairRows;
    private final ParallelFor.Body gemmBody = this::gemmTasks;
    private final ParallelFor.Body wideGemmBody = this::wideGemmTasks;
    private final ParallelFor.Body blasGemmBody = this::blasGemmTasks;
    private final ParallelFor.Body packBody = this::packChunks;
    /** OpenBLAS for the wide-batch GEMM where present and enabled ({@link OpenBlasGemm}), else null; see {@link #blas()}. */
    private OpenBlasGemm blas;
    /** Whether {@link #blas} is settled; false until the first wide batch when looked up lazily. */
    private boolean blasKnown;
    /** {@link #xf} as a segment for {@link #blas}, remade when xf grows. */
    private MemorySegment xfSegment;
    private float[] xfSegmentOf;
    private float[] xf = new float[0];
    /** Sums of x over blocks of it, for the K-quant mins: {@link WideDots#kBlockSums} (Q5_K), {@link WideDots#groupSums} (Q2_K). */
    private float[] xBlockSums = new float[0];

    // The call in progress, read by the pool's threads (published by ParallelFor.run).
    private final MatmulShape shape = new MatmulShape();
    /** The products of the {@link #matmuls} call in progress (the first {@link #groupCount}), reused. */
    private Product[] products = new Product[0];
    private int groupCount;
    private MemorySegment weights;
    private MemorySegment output;
    private int gemmBlocksN;
    private int gemmRowsPerTask;
    /** x packed for the wide-batch GEMM ({@link #packX}), read by every thread. */
    private float[] xPanel = new float[0];

    /** Multiply-adds at and below which a matmul runs {@link SmallMatmul}'s scalar code ({@link SmallShapes}). */
    private final long scalarWork;
    /** Which of two kernels a weight type's matrix-vector products take where each wins on some machine. */
    private final DotRoutes routes;
    /** The weight-tile layout of the pure-Java wide-batch GEMM on this machine ({@link GemmRoutes}). */
    private final GemmRoutes gemm;

    /**
     * Runs on the threads of {@code pool}, small matmuls scalar up to the measured default ({@link SmallShapes#defaults}).
     *
     * @param pool the thread team the kernels split their work over
     */
    public CpuMatmul(ParallelFor pool) {
        this(pool, SmallShapes.defaults().matmulWork());
    }

    /**
     * Runs on the threads of {@code pool}, matmuls of at most {@code scalarWork} multiply-adds scalar on the caller;
     * OpenBLAS is looked for on the first wide batch ({@link OpenBlasGemm#shared}), not here: the look-up (a failed
     * {@code dlopen}, the linker's classes, a log line) cost every start of a command that never runs one, such as a
     * short prompt on a small model.
     */
    CpuMatmul(ParallelFor pool, long scalarWork) {
        this(pool, null, scalarWork);
        blasKnown = false;
    }

    /**
     * Runs on the threads of {@code pool}, with OpenBLAS for wide batches when {@code blas} is not null;
     * matmuls of at most {@code scalarWork} multiply-adds run scalar on the caller; this machine's dot routes.
     */
    CpuMatmul(ParallelFor pool, OpenBlasGemm blas, long scalarWork) {
        this(pool, blas, scalarWork, DotRoutes.MACHINE);
        DotRoutes.logOnce();
    }

    /** As {@link #CpuMatmul(ParallelFor, OpenBlasGemm, long)} with the given dot routes (tests force each). */
    CpuMatmul(ParallelFor pool, OpenBlasGemm blas, long scalarWork, DotRoutes routes) {
        this(pool, blas, scalarWork, routes, GemmRoutes.MACHINE);
    }

    /** As {@link #CpuMatmul(ParallelFor, OpenBlasGemm, long, DotRoutes)} with the given GEMM tile layout (tests force each). */
    CpuMatmul(ParallelFor pool, OpenBlasGemm blas, long scalarWork, DotRoutes routes, GemmRoutes gemm) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.blas = blas;
        this.blasKnown = true;
        this.scalarWork = scalarWork;
        this.routes = Objects.requireNonNull(routes, "routes");
        this.gemm = Objects.requireNonNull(gemm, "gemm");
    }

    /**
     * Which decode dots Q8_0 and Q4_0 weights take on this machine ({@link DotRoutes}), for logs and {@code panamax info}.
     *
     * @return a one-line description of the choice and how to force the other
     */
    public static String decodeDots() {
        return DotRoutes.describe();
    }

    /** {@link #blas}, looked up on first use where the constructor left it open. */
    private OpenBlasGemm blas() {
        if (!blasKnown) {
            blas = OpenBlasGemm.shared().orElse(null);
            blasKnown = true;
        }
        return blas;
    }

    /**
     * Which GEMM wide batches (prompts) use in this JVM: OpenBLAS's sgemm through FFM where
     * {@code libopenblas.so.0} is installed and {@code -Dpanamax.blas=false} is not given, else the pure
     * Java one; with the library, its version and core, or why it is not used.
     *
     * @return a one-line description of the choice, for logs and {@code panamax info}
     */
    public static String wideBatchGemm() {
        return OpenBlasGemm.describe() + "; Java GEMM: " + GemmRoutes.MACHINE.description();
    }

    /**
     * {@code out = x · wᵀ}: x F32 {@code [M, K]}, w {@code [N, K]} of dtype F32, F16, BF16, Q8_0,
     * Q4_0, Q4_1, Q5_0, Q5_1, Q2_K ... Q6_K or MXFP4 (rows may be strided; read in place), out F32
     * {@code [M, N]}. Every element of out is written.
     *
     * @param x   the activations, F32 {@code [M, K]}
     * @param w   the weights {@code [N, K]}
     * @param out the result, F32 {@code [M, N]}
     * @throws IllegalArgumentException if dtypes or shapes do not fit
     */
    public void matmul(Tensor x, Tensor w, Tensor out) {
        MatmulShape s = shape;
        s.set(x, w, out);
        if (s.m() == 0 || s.n() == 0) {
            return;
        }
        MemorySegment xs = x.segment();
        int m = s.m(), k = s.k();
        if (xf.length < m * k) {
            xf = new float[m * k];
        }
        for (int i = 0; i < m && k > 0; i++) {
            MemorySegment.copy(xs, F32, s.xRow(i), xf, i * k, k);
        }
        weights = w.segment();
        output = out.segment();
        try {
            if ((long) m * s.n() * k <= scalarWork) {
                SmallMatmul.rows(s, weights, xf, scratch.get().row(k + s.n()), output);
            } else if (PairRows.takes(s.wType(), m)) {
                activations.quantize(xf, m, k, 256); // each row quantized once, its pairs read for every weight row
                pool.run(s.n(), matvecGrain(s), pairRowsBody);
            } else if (m >= FewRowsLoops.minRows(s.wType()) && m <= FewRowsLoops.MAX_ROWS && FewRowsLoops.supports(s.wType())) {
                pool.run(s.n(), matvecGrain(s), fewRowsBody); // a batched decode step: each weight decoded once for all rows
            } else if (m < gemmMinRows(s.wType())) {
                xBlockSums = prepareMatvec(s.wType(), xf, m, k, activations, xBlockSums);
                // four chunks of weight rows per thread: each thread streams long contiguous runs of the
                // weights, and few enough chunks remain to even out a slow thread. Measured on model decode
                // (2 threads, alternating runs): 10-30% faster than chunks of at most 64 rows, and faster
                // than two chunks per thread (a slow thread then holds a large share to the end).
                pool.run(s.n(), matvecGrain(s), matvecBody);
            } else if (m >= WIDE_BATCH_ROWS && blas() != null) {
                if (xfSegmentOf != xf) {
                    xfSegment = MemorySegment.ofArray(xf);
                    xfSegmentOf = xf;
                }
                int rows = BLAS_ROWS;
                if ((s.n() + rows - 1) / rows < 2 * pool.threads()) { // at least two blocks per thread
                    rows = Math.max(1, (s.n() + 2 * pool.threads() - 1) / (2 * pool.threads()));
                }
                gemmRowsPerTask = rows;
                int tasks = (s.n() + rows - 1) / rows;
                pool.run(tasks, inline(s) ? tasks : 1, blasGemmBody);
            } else if (m >= WIDE_BATCH_ROWS) {
                packX(m, k);
                int rows = gemm.packed ? NC_WIDE_PACKED : NC_WIDE;
                if ((s.n() + rows - 1) / rows < 2 * pool.threads()) { // at least two blocks per thread
                    int share = (s.n() + 2 * pool.threads() - 1) / (2 * pool.threads());
                    rows = (share + GemmKernel.WIDE_MR - 1) / GemmKernel.WIDE_MR * GemmKernel.WIDE_MR;
                }
                gemmRowsPerTask = rows;
                int tasks = (s.n() + rows - 1) / rows;
                pool.run(tasks, inline(s) ? tasks : 1, wideGemmBody);
            } else {
                int nBlocks = (s.n() + NC - 1) / NC;
                int mChunk = m;
                if (nBlocks < 2 * pool.threads()) { // too few weight blocks to share: split the rows of x too
                    int splits = Math.min((2 * pool.threads() + nBlocks - 1) / nBlocks, (m + GemmKernel.MR - 1) / GemmKernel.MR);
                    int rows = (m + splits - 1) / splits;
                    mChunk = (rows + GemmKernel.MR - 1) / GemmKernel.MR * GemmKernel.MR;
                }
                gemmBlocksN = nBlocks;
                gemmRowsPerTask = mChunk;
                int tasks = nBlocks * ((m + mChunk - 1) / mChunk);
                pool.run(tasks, inline(s) ? tasks : 1, gemmBody);
            }
        } finally {
            weights = null;
            output = null;
        }
    }

    /**
     * What the matrix-vector loop of {@code type} reads besides x's floats: x quantized ({@code a}) or its block sums
     * (returned: {@code sums}, grown when too small). Once per product, on the caller's thread.
     */
    private float[] prepareMatvec(DType type, float[] xf, int m, int k, QuantizedActivations a, float[] sums) {
        switch (type) {
            case Q8_0 -> {
                if (routes.q8_0Integer()) {
                    a.quantize(xf, m, k, 32);
                }
            }
            case Q4_0 -> a.quantize(xf, m, k, 32);
            case Q4_K -> a.quantize(xf, m, k, 256);
            case Q5_K -> {
                if (WideDots.AVAILABLE) {
                    sums = grown(sums, m * k / 16);
                    WideDots.kBlockSums(xf, m * k, sums);
                } else {
                    a.quantize(xf, m, k, 256);
                }
            }
            case Q2_K -> {
                if (WideDots.AVAILABLE) {
                    sums = grown(sums, m * k / 16);
                    WideDots.groupSums(xf, m * k, sums);
                }
            }
            case Q6_K -> a.quantize(xf, m, k, 256);
            default -> { }
        }
        return sums;
    }

    private static float[] grown(float[] a, int size) {
        return a.length < size ? new float[size] : a;
    }

    /**
     * {@code out[i] = x[i] · w[i]ᵀ} for {@code i < count}: independent products (a decode step's active experts) in
     * one parallel loop when every one of them takes the matrix-vector path ({@code M <} {@link #gemmMinRows}, no
     * few-rows kernel, above the scalar size), so that the team is handed work once instead of once per product; the
     * loop's tasks are each product's chunks of weight rows, one after the other. Each row is computed by the same
     * loop as {@link #matmul} would, so the results are bit for bit {@link #matmul}'s. Otherwise the products are
     * {@link #matmul} calls in order. A product whose x is the previous one's (the same tensor) and whose weights
     * have the same dtype shares that x's copy and quantization.
     *
     * @throws IllegalArgumentException if dtypes or shapes of a product do not fit
     */
    public void matmuls(Tensor[] x, Tensor[] w, Tensor[] out, int count) {
        if (!groupable(x, w, out, count)) {
            for (int i = 0; i < count; i++) {
                matmul(x[i], w[i], out[i]);
            }
            return;
        }
        int tasks = 0;
        for (int i = 0; i < count; i++) {
            Product p = products[i];
            MatmulShape s = p.shape;
            int m = s.m(), k = s.k();
            Product previous = i > 0 ? products[i - 1] : null;
            if (previous != null && x[i] == x[i - 1] && previous.shape.wType() == s.wType()) {
                p.shareInputOf(previous);
            } else {
                p.takeInput(x[i], m, k);
                p.sums = prepareMatvec(s.wType(), p.xf, m, k, p.activations, p.ownSums);
                p.ownSums = p.sums;
            }
            p.weights = w[i].segment();
            p.output = out[i].segment();
            p.grain = matvecGrain(s);
            p.firstTask = tasks;
            tasks += (s.n() + p.grain - 1) / p.grain;
        }
        groupCount = count;
        try {
            pool.run(tasks, 1, groupBody);
        } finally {
            for (int i = 0; i < count; i++) {
                products[i].weights = null;
                products[i].output = null;
            }
        }
    }

    /** Checks every product and says whether all of them take the matrix-vector path (their shapes then set). */
    private boolean groupable(Tensor[] x, Tensor[] w, Tensor[] out, int count) {
        if (products.length < count) {
            Product[] grown = java.util.Arrays.copyOf(products, count);
            for (int i = products.length; i < count; i++) {
                grown[i] = new Product();
            }
            products = grown;
        }
        boolean all = count > 1;
        for (int i = 0; i < count; i++) {
            MatmulShape s = products[i].shape;
            s.set(x[i], w[i], out[i]);
            int m = s.m();
            all &= m > 0 && s.n() > 0 && (long) m * s.n() * s.k() > scalarWork && !PairRows.takes(s.wType(), m)
                    && !(m >= FewRowsLoops.minRows(s.wType()) && m <= FewRowsLoops.MAX_ROWS && FewRowsLoops.supports(s.wType()))
                    && m < gemmMinRows(s.wType());
        }
        return all;
    }

    /** Tasks {@code [start, end)} of {@link #matmuls}: chunk {@code t - firstTask} of the product that holds task t. */
    private void groupTasks(int start, int end) {
        Product[] ps = products;
        int i = 0;
        for (int t = start; t < end; t++) {
            while (i + 1 < groupCount && ps[i + 1].firstTask <= t) {
                i++;
            }
            Product p = ps[i];
            int first = (t - p.firstTask) * p.grain;
            matvecRows(p.shape, p.weights, p.xf, p.activations, p.sums, p.output, first, Math.min(p.shape.n(), first + p.grain));
        }
    }

    /** One product of {@link #matmuls}: its geometry, its x as floats (and quantized), its part of the loop's tasks. */
    private static final class Product {
        final MatmulShape shape = new MatmulShape();
        private float[] ownXf = new float[0];
        private final QuantizedActivations ownActivations = new QuantizedActivations();
        float[] ownSums = new float[0];
        /** x as read by the kernels: this product's own copy or the previous product's. */
        float[] xf;
        QuantizedActivations activations;
        float[] sums;
        MemorySegment weights, output;
        int grain, firstTask;

        void takeInput(Tensor x, int m, int k) {
            if (ownXf.length < m * k) {
                ownXf = new float[m * k];
            }
            MemorySegment xs = x.segment();
            for (int r = 0; r < m && k > 0; r++) {
                MemorySegment.copy(xs, F32, shape.xRow(r), ownXf, r * k, k);
            }
            xf = ownXf;
            activations = ownActivations;
        }

        void shareInputOf(Product previous) {
            xf = previous.xf;
            activations = previous.activations;
            sums = previous.sums;
        }
    }

    /** Weight rows per chunk of the matrix-vector and few-rows paths: {@link #MATVEC_CHUNKS_PER_THREAD} per thread. */
    private int matvecGrain(MatmulShape s) {
        return inline(s) ? s.n()
                : Math.max(1, (s.n() + MATVEC_CHUNKS_PER_THREAD * pool.threads() - 1) / (MATVEC_CHUNKS_PER_THREAD * pool.threads()));
    }

    /** Weight rows {@code [start, end)} of the few-rows path ({@link FewRowsLoops}). */
    private void fewRows(int start, int end) {
        Scratch t = scratch.get();
        FewRowsLoops.rows(shape, weights, xf, t.row(FewRowsLoops.KC), t.rowSums, output, start, end);
    }

    /** Weight rows {@code [start, end)} of the integer few-rows path ({@link PairRows}). */
    private void pairRows(int start, int end) {
        Scratch t = scratch.get();
        if (shape.wType() == DType.Q6_K) {
            PairRows.q6_K(shape, weights, activations, t.subScales(16), t.rowSums, output, start, end);
        } else {
            PairRows.q4_K(shape, weights, activations, t.subScales(16), t.rowSums, output, start, end);
        }
    }

    /** True when the whole matmul is too small to share ({@link #INLINE_WORK}): {@link ParallelFor#run} then runs it inline. */
    private static boolean inline(MatmulShape s) {
        return (long) s.m() * s.n() * s.k() < INLINE_WORK;
    }

    // ---------------------------------------------------------------- matrix-vector

    /** Weight rows {@code [start, end)} of the matmul call in progress. */
    private void matvecRows(int start, int end) {
        matvecRows(shape, weights, xf, activations, xBlockSums, output, start, end);
    }

    /** Weight rows {@code [start, end)}: one switch, then the dtype's own loop ({@link MatvecLoops} says why). */
    private void matvecRows(MatmulShape s, MemorySegment w, float[] xf, QuantizedActivations a, float[] xBlockSums,
                            MemorySegment out, int start, int end) {
        int k = s.k();
        Scratch t = scratch.get();
        if (WideDots.AVAILABLE) {
            switch (s.wType()) {
                case F32 -> MatvecLoops.f32(s, w, xf, out, start, end);
                case BF16 -> MatvecLoops.bf16(s, w, xf, out, start, end);
                case Q8_0 -> {
                    if (routes.q8_0Integer()) {
                        MatvecLoops.q8_0(s, w, a, out, start, end);
                    } else {
                        MatvecLoops.q8_0Wide(s, w, xf, out, start, end);
                    }
                }
                case Q4_0 -> {
                    if (routes.q4_0Table()) {
                        MatvecLoops.q4_0PairsTable(s, w, a, out, start, end);
                    } else {
                        MatvecLoops.q4_0Pairs(s, w, a, out, start, end);
                    }
                }
                case Q4_1 -> MatvecLoops.q4_1Wide(s, w, xf, out, start, end);
                case Q5_0 -> MatvecLoops.q5_0Wide(s, w, xf, out, start, end);
                case Q5_1 -> MatvecLoops.q5_1Wide(s, w, xf, out, start, end);
                case Q2_K -> MatvecLoops.q2_KWide(s, w, xf, xBlockSums, t.subScales(16), out, start, end);
                case Q3_K -> MatvecLoops.q3_KWide(s, w, xf, t.subScales(16), out, start, end);
                case Q4_K -> {
                    if (routes.kQuantTwoRows()) {
                        MatvecLoops.q4_KTwoRows(s, w, a, t.subScales(32), out, start, end);
                    } else {
                        MatvecLoops.q4_KPairs(s, w, a, t.subScales(16), out, start, end);
                    }
                }
                case Q5_K -> MatvecLoops.q5_KWide(s, w, xf, xBlockSums, t.subScales(16), out, start, end);
                case Q6_K -> {
                    if (routes.kQuantTwoRows()) {
                        MatvecLoops.q6_KTwoRows(s, w, a, t.subScales(16), out, start, end);
                    } else {
                        MatvecLoops.q6_KPairs(s, w, a, t.subScales(16), out, start, end);
                    }
                }
                case MXFP4 -> Mxfp4Dots.rowsWide(s, w, xf, out, start, end);
                default -> MatvecLoops.decoded(s, w, xf, t.row(k), out, start, end);
            }
            return;
        }
        switch (s.wType()) {
            case F32 -> MatvecLoops.f32(s, w, xf, out, start, end);
            case BF16 -> MatvecLoops.bf16(s, w, xf, out, start, end);
            case Q8_0 -> MatvecLoops.q8_0(s, w, a, out, start, end);
            case Q4_0 -> MatvecLoops.q4_0(s, w, a, out, start, end);
            case Q4_K -> MatvecLoops.q4_K(s, w, a, t.subScales(k / 16), t.subMins(k / 32), out, start, end);
            case Q5_K -> MatvecLoops.q5_K(s, w, a, t.subScales(k / 16), t.subMins(k / 32), out, start, end);
            case Q6_K -> MatvecLoops.q6_K(s, w, a, out, start, end);
            case MXFP4 -> Mxfp4Dots.rows(s, w, xf, out, start, end);
            default -> MatvecLoops.decoded(s, w, xf, t.row(k), out, start, end);
        }
    }

    // ---------------------------------------------------------------- GEMM

    /**
     * Computes GEMM tasks {@code [start, end)}: task t covers the {@value #NC} weight rows of block
     * {@code t % gemmBlocksN} (columns of out) and the x rows of chunk {@code t / gemmBlocksN}.
     */
    private void gemmTasks(int start, int end) {
        MatmulShape s = shape;
        Scratch t = scratch.get();
        int k = s.k(), n = s.n();
        float[] wp = t.weightPanel(NC * KC);
        float[] row = t.row(KC);
        float[] tile = t.tile;
        for (int task = start; task < end; task++) {
            int n0 = (task % gemmBlocksN) * NC;
            int nc = Math.min(NC, n - n0);
            int mStart = (task / gemmBlocksN) * gemmRowsPerTask;
            int mEnd = Math.min(s.m(), mStart + gemmRowsPerTask);
            int panels = (nc + GemmKernel.NR - 1) / GemmKernel.NR;
            if (k == 0) {
                zero(s, mStart, mEnd, n0, nc);
            }
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                packWeights(s, n0, nc, panels, k0, kc, wp, row);
                for (int m0 = mStart; m0 < mEnd; m0 += GemmKernel.MR) {
                    int mr = Math.min(GemmKernel.MR, mEnd - m0);
                    int last = m0 + mr - 1; // a partial tile repeats its last row
                    int r0 = m0 * k + k0;
                    int r1 = Math.min(m0 + 1, last) * k + k0, r2 = Math.min(m0 + 2, last) * k + k0;
                    int r3 = Math.min(m0 + 3, last) * k + k0, r4 = Math.min(m0 + 4, last) * k + k0;
                    int r5 = Math.min(m0 + 5, last) * k + k0;
                    for (int p = 0; p < panels; p++) {
                        GemmKernel.multiply(xf, r0, r1, r2, r3, r4, r5, wp, p * GemmKernel.NR * kc, kc, tile);
                        storeTile(s, tile, m0, mr, n0 + p * GemmKernel.NR, Math.min(GemmKernel.NR, nc - p * GemmKernel.NR), k0 > 0);
                    }
                }
            }
        }
    }

    /**
     * Wide-batch GEMM tasks {@code [start, end)}: task t covers weight rows {@code [t R, t R + R)},
     * R = {@link #gemmRowsPerTask}, and every row of x. Per {@value #KC_WIDE}-wide slice of K the task
     * decodes its weight rows once, row-major with contiguous vector stores (rows up to a whole tile past
     * the last are zero), then runs the wide micro-kernel with the roles of its operands swapped:
     * {@link GemmKernel#WIDE_MR} weight rows broadcast, the {@link GemmKernel#NR} rows of a chunk of the
     * packed x loaded as vectors. That chunk's slice (32 KiB) stays in L1 while the task's tiles go by.
     * The tiles accumulate over the slices in a per-task buffer, transposed ({@code acc[(c R + i) NR + j]}
     * is {@code out[c NR + j, n0 + i]}), written to out once at the end.
     */
    private void wideGemmTasks(int start, int end) {
        MatmulShape s = shape;
        Scratch t = scratch.get();
        int k = s.k(), n = s.n(), m = s.m();
        int nr = GemmKernel.NR, mr = GemmKernel.WIDE_MR;
        int chunks = (m + nr - 1) / nr;
        int rowsPadded = gemmRowsPerTask; // a multiple of WIDE_MR
        float[] wr = t.weightPanel(rowsPadded * KC_WIDE);
        float[] acc = t.accumulator(rowsPadded * chunks * nr);
        float[] outRow = t.row(rowsPadded);
        float[] xp = xPanel;
        boolean packed = gemm.packed;
        float[] decoded = packed ? t.decoded(KC_WIDE) : null;
        for (int task = start; task < end; task++) {
            int n0 = task * rowsPadded;
            int nc = Math.min(rowsPadded, n - n0);
            int tiles = (nc + mr - 1) / mr;
            if (k == 0) {
                zero(s, 0, m, n0, nc);
                continue;
            }
            for (int k0 = 0; k0 < k; k0 += KC_WIDE) {
                int kc = Math.min(KC_WIDE, k - k0);
                if (packed) {
                    packTiles(s, n0, nc, tiles * mr, k0, kc, wr, decoded);
                } else {
                    decodeRows(s, n0, nc, tiles * mr, k0, kc, wr);
                }
                boolean accumulate = k0 > 0;
                for (int c = 0; c < chunks; c++) {
                    int xo = c * k * nr + k0 * nr;
                    for (int tile = 0; tile < tiles; tile++) {
                        int co = (c * rowsPadded + tile * mr) * nr, wo = tile * mr * kc;
                        if (packed && mr == 12) {
                            GemmKernel.multiply12Packed(wr, wo, xp, xo, kc, acc, co, accumulate);
                        } else if (packed) {
                            GemmKernel.multiply6Packed(wr, wo, xp, xo, kc, acc, co, accumulate);
                        } else if (mr == 12) {
                            GemmKernel.multiply12(wr, wo, kc, xp, xo, kc, acc, co, accumulate);
                        } else {
                            GemmKernel.multiply6(wr, wo, kc, xp, xo, kc, acc, co, accumulate);
                        }
                    }
                }
            }
            if (packed) {
                GemmKernel.storeTransposed(acc, rowsPadded, m, nc, output, s.outRow(0) + 4L * n0, s.outRowBytes());
            } else {
                storeTransposed(s, acc, rowsPadded, m, n0, nc, outRow);
            }
        }
    }

    /** Decodes w[n0 + r, k0 : k0 + kc] row-major into {@code wr[r kc ...]} for {@code r < rows}; rows past nc are zero. */
    private void decodeRows(MatmulShape s, int n0, int nc, int rows, int k0, int kc, float[] wr) {
        DType type = s.wType();
        for (int r = 0; r < rows; r++) {
            if (r >= nc) {
                java.util.Arrays.fill(wr, r * kc, (r + 1) * kc, 0f);
                continue;
            }
            long at = s.wRow(n0 + r) + type.byteSize(k0);
            if (!VectorDecoder.decode(type, weights, at, wr, r * kc, kc)) {
                WeightDecoder.decode(type, weights, at, wr, r * kc, kc);
            }
        }
    }

    /**
     * Decodes w[n0 + r, k0 : k0 + kc] for {@code r < rows} and packs each tile of {@link GemmKernel#WIDE_MR} rows
     * k-major, {@code wr[t MR kc + kk MR + i]} for row {@code r = t MR + i} ({@link GemmRoutes}); rows past nc are zero.
     * A row is decoded into {@code decoded} and scattered at a stride of MR floats: one store per weight per matmul,
     * against M / 16 vector FMAs that read it.
     */
    private void packTiles(MatmulShape s, int n0, int nc, int rows, int k0, int kc, float[] wr, float[] decoded) {
        DType type = s.wType();
        int mr = GemmKernel.WIDE_MR;
        for (int r = 0; r < rows; r++) {
            int base = (r / mr) * mr * kc + r % mr;
            if (r >= nc) {
                for (int kk = 0; kk < kc; kk++) {
                    wr[base + kk * mr] = 0f;
                }
                continue;
            }
            long at = s.wRow(n0 + r) + type.byteSize(k0);
            if (!VectorDecoder.decode(type, weights, at, decoded, 0, kc)) {
                WeightDecoder.decode(type, weights, at, decoded, 0, kc);
            }
            for (int kk = 0; kk < kc; kk++) {
                wr[base + kk * mr] = decoded[kk];
            }
        }
    }

    /**
     * Wide-batch GEMM tasks through OpenBLAS: task t decodes weight rows {@code [t R, t R + R)} whole,
     * row-major, to F32 (F32 weights are passed in place) and makes one single-threaded sgemm call with all
     * rows of x for those columns of out. OpenBLAS packs and blocks for its own kernel; only dequantization
     * is ours, once per weight per matmul.
     */
    private void blasGemmTasks(int start, int end) {
        MatmulShape s = shape;
        int k = s.k(), n = s.n(), m = s.m();
        DType type = s.wType();
        Scratch t = scratch.get();
        for (int task = start; task < end; task++) {
            int n0 = task * gemmRowsPerTask;
            int nc = Math.min(gemmRowsPerTask, n - n0);
            if (k == 0) {
                zero(s, 0, m, n0, nc);
                continue;
            }
            MemorySegment w;
            int ldb;
            if (type == DType.F32) {
                w = weights.asSlice(s.wRow(n0));
                ldb = (int) (s.wRowBytes() / 4);
            } else {
                float[] panel = t.weightPanel(nc * k);
                for (int r = 0; r < nc; r++) {
                    long at = s.wRow(n0 + r);
                    if (!VectorDecoder.decode(type, weights, at, panel, r * k, k)) {
                        WeightDecoder.decode(type, weights, at, panel, r * k, k);
                    }
                }
                w = t.panelSegment();
                ldb = k;
            }
            blas.sgemm(m, nc, k, xfSegment, k, w, ldb, output.asSlice(s.outRow(0) + 4L * n0), (int) (s.outRowBytes() / 4));
        }
    }

    /**
     * Packs the rows of x (already in {@link #xf}) for the wide-batch GEMM: chunks of {@link GemmKernel#NR}
     * rows, each k-major, {@code xPanel[c K NR + k NR + j] = x[c NR + j, k]}; rows past M are zero.
     * Once per matmul call, shared by all weight blocks; the chunks are split over the team
     * ({@link #packChunks}): done by the caller alone this took 1.3 ms per 512 x 2048 x on Zen 4, while the
     * other threads waited (the matmul of a 256 x 2048 weight takes 3-6 ms on two threads).
     */
    private void packX(int m, int k) {
        int nr = GemmKernel.NR;
        int chunks = (m + nr - 1) / nr;
        int size = chunks * nr * k;
        if (xPanel.length < size) {
            xPanel = new float[size];
        }
        pool.run(chunks, (long) m * k < INLINE_WORK ? chunks : 1, packBody);
    }

    /**
     * Chunks {@code [start, end)} of {@link #packX}, row by row (reading a row in order and storing with a stride of
     * {@link GemmKernel#NR}: the 32 rows of a chunk lie K floats apart, 8 KiB for K = 2048, so reading down the rows
     * hit one L1 set; k-outer loops and vector gathers took 2.3-2.6x as long, measured on Zen 4).
     */
    private void packChunks(int start, int end) {
        int nr = GemmKernel.NR, m = shape.m(), k = shape.k();
        float[] xp = xPanel, x = xf;
        for (int row = start * nr; row < end * nr; row++) {
            int base = (row / nr) * k * nr + row % nr;
            if (row < m) {
                for (int kk = 0, from = row * k; kk < k; kk++) {
                    xp[base + kk * nr] = x[from + kk];
                }
            } else {
                for (int kk = 0; kk < k; kk++) {
                    xp[base + kk * nr] = 0f;
                }
            }
        }
    }

    /**
     * Writes a task's accumulated tiles to out: {@code out[c NR + j, n0 + i] = acc[(c R + i) NR + j]} for
     * {@code i < nc} and every row of x, one gathered run of nc floats per row of out.
     */
    private void storeTransposed(MatmulShape s, float[] acc, int rowsPadded, int m, int n0, int nc, float[] outRow) {
        int nr = GemmKernel.NR;
        for (int row = 0; row < m; row++) {
            int base = (row / nr) * rowsPadded * nr + row % nr;
            for (int i = 0; i < nc; i++) {
                outRow[i] = acc[base + i * nr];
            }
            MemorySegment.copy(outRow, 0, output, F32, s.outRow(row) + 4L * n0, nc);
        }
    }

    /** Decodes w[n0 + r, k0 : k0 + kc] into panels {@code wp[p NR kc + k NR + j]}, r = p NR + j; rows past nc are zero. */
    private void packWeights(MatmulShape s, int n0, int nc, int panels, int k0, int kc, float[] wp, float[] row) {
        DType type = s.wType();
        int nr = GemmKernel.NR;
        for (int r = 0; r < panels * nr; r++) {
            int base = (r / nr) * nr * kc + (r % nr);
            if (r < nc) {
                long at = s.wRow(n0 + r) + type.byteSize(k0);
                if (!VectorDecoder.decode(type, weights, at, row, kc)) {
                    WeightDecoder.decode(type, weights, at, row, 0, kc);
                }
                for (int kk = 0; kk < kc; kk++) {
                    wp[base + kk * nr] = row[kk];
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    wp[base + kk * nr] = 0f;
                }
            }
        }
    }

    private void storeTile(MatmulShape s, float[] tile, int m0, int mr, int n0, int nr, boolean accumulate) {
        MemorySegment out = output;
        for (int i = 0; i < mr; i++) {
            long at = s.outRow(m0 + i) + 4L * n0;
            if (nr == GemmKernel.NR) {
                GemmKernel.storeRow(tile, i, out, at, accumulate);
                continue;
            }
            for (int j = 0; j < nr; j++) {
                float v = tile[i * GemmKernel.NR + j];
                out.set(F32, at + 4L * j, accumulate ? out.get(F32, at + 4L * j) + v : v);
            }
        }
    }

    private void zero(MatmulShape s, int mStart, int mEnd, int n0, int nc) {
        for (int i = mStart; i < mEnd; i++) {
            for (int j = 0; j < nc; j++) {
                output.set(F32, s.outRow(i) + 4L * (n0 + j), 0f);
            }
        }
    }

    /** Per-thread buffers, grown on demand. */
    private static final class Scratch {
        final float[] tile = new float[GemmKernel.MR * GemmKernel.NR];
        /** A running sum per row of x ({@link FewRowsLoops}). */
        final float[] rowSums = new float[FewRowsLoops.MAX_ROWS];
        private float[] row = new float[0];
        private float[] weightPanel = new float[0];

        float[] row(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }

        private float[] subScales = new float[0];
        private float[] subMins = new float[0];

        float[] subScales(int size) {
            if (subScales.length < size) {
                subScales = new float[size];
            }
            return subScales;
        }

        float[] subMins(int size) {
            if (subMins.length < size) {
                subMins = new float[size];
            }
            return subMins;
        }

        private float[] accumulator = new float[0];
        private float[] decoded = new float[0];

        /** One decoded slice of a weight row before it is packed into a tile ({@link #packTiles}). */
        float[] decoded(int size) {
            if (decoded.length < size) {
                decoded = new float[size];
            }
            return decoded;
        }

        float[] accumulator(int size) {
            if (accumulator.length < size) {
                accumulator = new float[size];
            }
            return accumulator;
        }

        float[] weightPanel(int size) {
            if (weightPanel.length < size) {
                weightPanel = new float[size];
                panelSegment = MemorySegment.ofArray(weightPanel);
            }
            return weightPanel;
        }

        private MemorySegment panelSegment;

        /** The weight panel as a segment, for OpenBLAS. */
        MemorySegment panelSegment() {
            return panelSegment;
        }

    }
}
