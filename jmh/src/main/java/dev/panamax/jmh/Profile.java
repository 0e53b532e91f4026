package dev.panamax.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.panamax.jmh.blas.OpenBlasGemmBench;
import dev.panamax.jmh.blas.OpenBlasGemvBench;
import dev.panamax.jmh.e2e.EndToEndBench;
import dev.panamax.jmh.kernels.AttentionBench;
import dev.panamax.jmh.kernels.GemmBench;
import dev.panamax.jmh.kernels.MatmulBench;
import dev.panamax.jmh.kernels.RmsNormBench;
import dev.panamax.jmh.kernels.RopeBench;
import dev.panamax.jmh.kernels.SoftmaxBench;
import dev.panamax.jmh.limits.MachineLimitsBench;

/**
 * How long and how wide a suite run is: JMH iteration settings and the parameters of every job.
 * {@link #QUICK} finishes in a few minutes on two cores (one fork, few sizes); {@link #FULL} runs
 * every size and dtype of the issue with two forks per benchmark, which takes hours on small machines.
 */
public enum Profile {
    /** A few minutes on two cores: one fork, 3 warm-up iterations of 0.5 s, 3 measured ones of 0.3 s, few sizes. */
    QUICK(1, 3, 500, 3, 300),
    /** Every size and dtype: two forks, 3 warm-up and 5 measured iterations of 1 s. */
    FULL(2, 3, 1000, 5, 1000);

    /** Every weight dtype the matmul kernels support. */
    public static final List<String> ALL_DTYPES =
            List.of("F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K");
    /** Real weight shapes N x K: Llama 7B/8B attention, FFN up and down, TinyLlama FFN down, Llama 3 output head. */
    public static final List<String> ALL_SHAPES = List.of("4096x4096", "11008x4096", "4096x11008", "2048x5632", "128256x4096");

    private final int forks;
    private final int warmupIterations;
    private final int warmupMillis;
    private final int measurementIterations;
    private final int measurementMillis;

    Profile(int forks, int warmupIterations, int warmupMillis, int measurementIterations, int measurementMillis) {
        this.forks = forks;
        this.warmupIterations = warmupIterations;
        this.warmupMillis = warmupMillis;
        this.measurementIterations = measurementIterations;
        this.measurementMillis = measurementMillis;
    }

    /** {@return the JVM forks per benchmark} */
    public int forks() {
        return forks;
    }

    /** {@return the warm-up iterations per fork} */
    public int warmupIterations() {
        return warmupIterations;
    }

    /** {@return the length of a warm-up iteration, in milliseconds} */
    public int warmupMillis() {
        return warmupMillis;
    }

    /** {@return the measured iterations per fork} */
    public int measurementIterations() {
        return measurementIterations;
    }

    /** {@return the length of a measured iteration, in milliseconds} */
    public int measurementMillis() {
        return measurementMillis;
    }

    /**
     * The jobs of this profile for kernels running on {@code threads} threads; limits are measured on
     * one thread and on {@code threads}. Jobs with a backend get {@code backends}.
     *
     * @param backends the backends the kernel jobs run on, e.g. {@code [cpu, reference]}
     * @param threads  the threads of the kernel jobs
     * @return the jobs, in the order they run
     */
    public List<Job> jobs(List<String> backends, int threads) {
        boolean full = this == FULL;
        List<String> limitThreads = threads == 1 ? List.of("1") : List.of("1", String.valueOf(threads));
        List<String> t = List.of(String.valueOf(threads));
        List<Job> jobs = new ArrayList<>();
        jobs.add(job(MachineLimitsBench.class, List.of("fmaPeak", "readBandwidth"), "threads", limitThreads));
        List<String> gemmSizes = full ? List.of("512", "1024", "2048", "4096") : List.of("512", "1024");
        jobs.add(job(OpenBlasGemmBench.class, List.of("sgemm"), "threads", t, "size", gemmSizes));
        jobs.add(job(OpenBlasGemvBench.class, List.of("sgemv"), "threads", t, "shape", full ? ALL_SHAPES : List.of("4096x4096")));
        jobs.add(kernel(GemmBench.class, "gemm", backends, t, "size", gemmSizes));
        jobs.add(kernel(MatmulBench.class, "matmul", backends, t, "tokens", List.of("1"), "dtype", ALL_DTYPES,
                "shape", full ? ALL_SHAPES : List.of("4096x4096")));
        jobs.add(kernel(MatmulBench.class, "matmul", backends, t, "tokens", full ? List.of("64", "512") : List.of("64"),
                "dtype", full ? ALL_DTYPES : List.of("F32", "Q8_0", "Q4_0", "Q4_K"),
                "shape", full ? ALL_SHAPES : List.of("4096x4096")));
        jobs.add(kernel(RmsNormBench.class, "rmsNorm", backends, t, "rows", full ? List.of("1", "512") : List.of("1"),
                "dim", List.of("4096")));
        jobs.add(kernel(SoftmaxBench.class, "softmax", backends, t, "shape",
                full ? List.of("32x512", "32x2048", "32x8192", "1x128256") : List.of("32x2048")));
        jobs.add(kernel(RopeBench.class, "rope", backends, t, "tokens", full ? List.of("1", "512") : List.of("1")));
        jobs.add(kernel(AttentionBench.class, List.of("decode", "prefill"), backends, t,
                "positions", full ? List.of("512", "2048", "8192") : List.of("2048"),
                "cacheType", full ? List.of("F32", "F16") : List.of("F32")));
        // one op is a whole prompt or 128 tokens: seconds each, so quick runs take three
        Job e2e = kernel(EndToEndBench.class, List.of("prefill", "decode"), backends, t, "shape", List.of("tinyllama-1.1b"),
                "layers", full ? List.of("0") : List.of("1"),
                "type", full ? List.of("f16", "q8_0", "q4_0", "q4_k_m", "q6_k") : List.of("q8_0"));
        jobs.add(full ? e2e : e2e.limitedTo(3));
        // the limits again at the end: the report keeps the better of the two, which on a busy machine
        // is closer to what the hardware can do than either alone
        jobs.add(jobs.getFirst());
        return jobs;
    }

    private static Job job(Class<?> c, List<String> methods, Object... kv) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) kv[i + 1];
            params.put((String) kv[i], values);
        }
        return new Job(c, methods, params);
    }

    private static Job kernel(Class<?> c, String method, List<String> backends, List<String> threads, Object... kv) {
        return kernel(c, List.of(method), backends, threads, kv);
    }

    private static Job kernel(Class<?> c, List<String> methods, List<String> backends, List<String> threads, Object... kv) {
        Object[] all = new Object[kv.length + 4];
        all[0] = "backend";
        all[1] = backends;
        all[2] = "threads";
        all[3] = threads;
        System.arraycopy(kv, 0, all, 4, kv.length);
        return job(c, methods, all);
    }
}
