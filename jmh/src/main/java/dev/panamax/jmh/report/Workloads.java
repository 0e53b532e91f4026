package dev.panamax.jmh.report;

import java.util.Optional;

import dev.panamax.jmh.e2e.EndToEndBench;
import dev.panamax.jmh.synth.SynthModel;
import dev.panamax.jmh.synth.SynthShape;
import dev.panamax.jmh.synth.SynthType;
import dev.panamax.tensor.DType;

/**
 * The work model of every Panamax benchmark: flops and bytes of one operation, computed from the
 * benchmark's parameters, and the limit it is bound by. This is the one place that knows what the
 * benchmarks do; the numbers follow their Javadoc.
 */
public final class Workloads {
    /** {@code MachineLimitsBench.FLOPS_PER_OP}: 64 runs of 12 chains x 2^18 scalar FMAs, 2 flops each. */
    public static final double FMA_PEAK_FLOPS = 64.0 * 12 * (1 << 18) * 2;
    /** {@code MachineLimitsBench.READ_BYTES}. */
    public static final double READ_BYTES = 1L << 30;

    private static final int Q_HEADS = 32;
    private static final int KV_HEADS = 8;
    private static final int HEAD_DIM = 128;
    private static final int PREFILL_TOKENS = 512;

    private Workloads() {
    }

    /**
     * The work of {@code r}, or empty for a benchmark this model does not know.
     *
     * @param r a kernel benchmark's record
     * @return its flops or bytes per operation and what bounds it
     */
    public static Optional<Work> of(BenchRecord r) {
        return Optional.ofNullable(switch (r.kernel()) {
            case "MachineLimitsBench.fmaPeak" -> new Work(FMA_PEAK_FLOPS, 0, Work.Bound.FMA);
            case "MachineLimitsBench.readBandwidth" -> new Work(0, READ_BYTES, Work.Bound.READ);
            case "GemmBench.gemm", "OpenBlasGemmBench.sgemm" -> {
                double n = r.intParam("size", 0);
                yield new Work(2 * n * n * n, 3 * n * n * 4, Work.Bound.FMA);
            }
            case "OpenBlasGemvBench.sgemv" -> {
                long[] nk = dims(r.param("shape"));
                yield new Work(2.0 * nk[0] * nk[1], 4.0 * nk[0] * nk[1], Work.Bound.READ);
            }
            case "MatmulBench.matmul" -> matmul(r);
            case "AttentionBench.decode" -> {
                double positions = r.intParam("positions", 0);
                double kv = 2 * positions * KV_HEADS * HEAD_DIM * cacheBytes(r);
                yield new Work(4.0 * Q_HEADS * HEAD_DIM * positions, kv, Work.Bound.READ);
            }
            case "AttentionBench.prefill" -> {
                int positions = r.intParam("positions", 0);
                int tokens = Math.min(PREFILL_TOKENS, positions);
                int start = positions - tokens;
                // query t attends to start + t + 1 positions: QK^T and PV each 2 flops per entry per position
                double attended = (double) tokens * start + (double) tokens * (tokens + 1) / 2;
                double kv = 2.0 * positions * KV_HEADS * HEAD_DIM * cacheBytes(r);
                yield new Work(4.0 * Q_HEADS * HEAD_DIM * attended, kv, Work.Bound.FMA);
            }
            case "RmsNormBench.rmsNorm" -> {
                double n = (double) r.intParam("rows", 0) * r.intParam("dim", 0);
                yield new Work(4 * n, 2 * n * 4, Work.Bound.READ);
            }
            case "SoftmaxBench.softmax" -> {
                long[] rc = dims(r.param("shape"));
                yield new Work(0, 2.0 * rc[0] * rc[1] * 4, Work.Bound.READ);
            }
            case "RopeBench.rope" -> {
                double n = (double) r.intParam("tokens", 0) * Q_HEADS * HEAD_DIM;
                yield new Work(3 * n, 2 * n * 4, Work.Bound.READ);
            }
            case "EndToEndBench.decode" -> {
                SynthShape s = EndToEndBench.shape(r.param("shape"), r.intParam("layers", 0));
                SynthType t = SynthType.parse(r.param("type"));
                double tokens = EndToEndBench.GENERATED_TOKENS;
                // every token reads all weights once (the embedding table: one row)
                yield new Work(2.0 * SynthModel.matmulParams(s) * tokens, (double) SynthModel.bytesPerToken(s, t) * tokens,
                        Work.Bound.READ);
            }
            case "EndToEndBench.prefill" -> {
                SynthShape s = EndToEndBench.shape(r.param("shape"), r.intParam("layers", 0));
                SynthType t = SynthType.parse(r.param("type"));
                // matmul flops only (attention adds a few percent at 512 tokens)
                yield new Work(2.0 * SynthModel.matmulParams(s) * EndToEndBench.PROMPT_TOKENS, SynthModel.bytesPerToken(s, t),
                        Work.Bound.FMA);
            }
            default -> null;
        });
    }

    /**
     * Tokens one operation processes, for end-to-end benchmarks (tokens/s = tokens / seconds per op).
     *
     * @param r an end-to-end benchmark's record
     * @return the tokens, empty for other benchmarks
     */
    public static java.util.OptionalInt tokensPerOp(BenchRecord r) {
        return switch (r.kernel()) {
            case "EndToEndBench.decode" -> java.util.OptionalInt.of(EndToEndBench.GENERATED_TOKENS);
            case "EndToEndBench.prefill" -> java.util.OptionalInt.of(EndToEndBench.PROMPT_TOKENS);
            default -> java.util.OptionalInt.empty();
        };
    }

    private static Work matmul(BenchRecord r) {
        long[] nk = dims(r.param("shape"));
        double m = r.intParam("tokens", 1);
        DType dtype = DType.valueOf(r.param("dtype"));
        double weightBytes = dtype.byteSize(nk[0] * nk[1]);
        double flops = 2 * m * nk[0] * nk[1];
        // decode reads every weight once per token: the weights' bytes are the work that bounds it
        return m == 1 ? new Work(flops, weightBytes, Work.Bound.READ) : new Work(flops, weightBytes, Work.Bound.FMA);
    }

    private static double cacheBytes(BenchRecord r) {
        return DType.valueOf(r.param("cacheType") == null ? "F32" : r.param("cacheType")).bytesPerBlock();
    }

    static long[] dims(String shape) {
        if (shape == null) {
            throw new IllegalArgumentException("missing shape parameter");
        }
        String[] parts = shape.split("x");
        long[] d = new long[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Long.parseLong(parts[i].trim());
        }
        return d;
    }
}
