package dev.panamax.jmh.kernels;

import java.util.concurrent.TimeUnit;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Ops.attention} with Llama 3 8B's grouping: 32 query heads, 8 KV heads, head dim 128, over a
 * KV cache holding {@code positions} positions.
 *
 * <p>{@link #decode} is one new token attending to all {@code positions} (the cache is read once:
 * bandwidth bound). {@link #prefill} is a batch of {@value #PREFILL_TOKENS} new tokens (or
 * {@code positions} when fewer) ending at {@code positions}, each attending causally to everything
 * before it, as in a chunked prompt evaluation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench extends BackendState {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public AttentionBench() {
    }

    /** Query heads, as Llama 3 8B. */
    public static final int QUERY_HEADS = 32;
    /** Key/value heads, as Llama 3 8B: four query heads share each. */
    public static final int KV_HEADS = 8;
    /** Entries per head. */
    public static final int HEAD_DIM = 128;
    /** Query tokens of one prefill operation, at most. */
    public static final int PREFILL_TOKENS = 512;

    /** Cached positions the last query attends to: the length of the context so far. */
    @Param("2048")
    public int positions;

    /** Sliding window in positions (0: full causal attention), to see that a window makes long contexts cheaper. */
    @Param("0")
    public int window;

    /** F32 or F16 cache entries. */
    @Param("F32")
    public String cacheType;

    private Tensor qDecode;
    private Tensor outDecode;
    private Tensor qPrefill;
    private Tensor outPrefill;
    private Tensor k;
    private Tensor v;
    private final float scale = (float) (1 / Math.sqrt(HEAD_DIM));
    private Attention options;

    /**
     * Opens the backend and makes the benchmark's random inputs, weights and outputs where it computes (once per trial, not measured).
     */
    @Setup(Level.Trial)
    public void setUp() {
        open();
        options = Attention.CAUSAL.withWindow(window);
        int t = prefillTokens(positions);
        qDecode = input(1, QUERY_HEADS, HEAD_DIM);
        outDecode = output(1, QUERY_HEADS, HEAD_DIM);
        qPrefill = input(t, QUERY_HEADS, HEAD_DIM);
        outPrefill = output(t, QUERY_HEADS, HEAD_DIM);
        k = cache();
        v = cache();
    }

    private Tensor cache() {
        Tensor f32 = random.floats(arena, positions, KV_HEADS, HEAD_DIM);
        Tensor host = DType.valueOf(cacheType) == DType.F32 ? f32 : f32.to(arena, DType.valueOf(cacheType));
        return ops.upload(arena, host);
    }

    /**
     * Query tokens of one prefill operation.
     *
     * @param positions the context length
     * @return {@link #PREFILL_TOKENS}, or {@code positions} when fewer
     */
    public static int prefillTokens(int positions) {
        return Math.min(PREFILL_TOKENS, positions);
    }

    /** Closes the backend and frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        close();
    }

    /** Measures one decode step's attention: one token over the whole cache, bound by reading it. */
    @Benchmark
    public void decode() {
        ops.attention(qDecode, k, v, positions - 1, scale, options, outDecode);
    }

    /** Measures a prompt chunk's attention: {@link #prefillTokens} queries, each over the positions before it. */
    @Benchmark
    public void prefill() {
        ops.attention(qPrefill, k, v, positions - prefillTokens(positions), scale, options, outPrefill);
    }
}
