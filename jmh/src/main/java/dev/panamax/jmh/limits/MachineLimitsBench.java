package dev.panamax.jmh.limits;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import dev.panamax.kernels.cpu.ParallelFor;
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
 * The machine's limits, measured in the same run as the kernels they judge: peak FP32 FMA rate and
 * sequential read bandwidth, on one thread and on a {@link ParallelFor} team of {@code threads}.
 *
 * <p>One operation of {@link #fmaPeak} is {@value #FMA_CHUNKS} runs of {@link FmaChains} spread over
 * the team ({@link #FLOPS_PER_OP} flops). One operation of {@link #readBandwidth} sums the whole
 * {@value #READ_BYTES}-byte segment, in {@value #READ_CHUNK}-byte chunks handed out to the team.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MachineLimitsBench {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public MachineLimitsBench() {
    }

    /** FMA work items per operation; many more than threads, so a late-waking thread costs little. */
    public static final int FMA_CHUNKS = 64;
    /** Flops of one {@link #fmaPeak} operation. */
    public static final long FLOPS_PER_OP = FMA_CHUNKS * FmaChains.FLOPS_PER_RUN;
    /** Bytes read by one {@link #readBandwidth} operation: 1 GiB, far beyond any cache. */
    public static final long READ_BYTES = 1L << 30;
    /** Bytes per work item of {@link #readBandwidth}. */
    public static final int READ_CHUNK = 4 << 20;

    /** Threads working at once: the limits are measured per thread count. */
    @Param("1")
    public int threads;

    private ParallelFor team;
    private MemorySegment data;
    private final float[] partial = new float[(int) (READ_BYTES / READ_CHUNK)];
    private final ParallelFor.Body fmaChunks = this::fmaChunks;
    private final ParallelFor.Body readChunks = this::readChunks;

    /** The 1 GiB segment, a state of its own so that only {@link #readBandwidth} allocates it. */
    @State(Scope.Benchmark)
    public static class Buffer {
        /** Creates the state; JMH allocates the segment in {@link #setUp()}. */
        public Buffer() {
        }

        private Arena arena;
        MemorySegment data;

        /** Allocates the segment and writes every page (not measured). */
        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            data = arena.allocate(READ_BYTES, 64);
            // Touch every page with non-zero data, so the sums read real memory rather than the zero page.
            data.fill((byte) 0x3c);
        }

        /** Frees the segment. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** Starts the threads (not measured). */
    @Setup(Level.Trial)
    public void setUp() {
        team = new ParallelFor(threads);
    }

    /** Stops the threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        team.close();
    }

    /**
     * Measures the FMA peak: {@link #FMA_CHUNKS} runs of independent vector FMA chains split over the threads.
     *
     * @return the sum of the chains, so that the work is not optimized away
     */
    @Benchmark
    public float fmaPeak() {
        team.run(FMA_CHUNKS, 1, fmaChunks);
        return sum(FMA_CHUNKS);
    }

    /**
     * Measures the memory read bandwidth: summing {@link #READ_BYTES} in chunks of {@link #READ_CHUNK} over the threads.
     *
     * @param buffer the 1 GiB segment read
     * @return the sum, so that the work is not optimized away
     */
    @Benchmark
    public float readBandwidth(Buffer buffer) {
        data = buffer.data;
        team.run(partial.length, 1, readChunks);
        return sum(partial.length);
    }

    private void fmaChunks(int start, int end) {
        for (int c = start; c < end; c++) {
            partial[c] = FmaChains.run(c);
        }
    }

    private void readChunks(int start, int end) {
        for (int c = start; c < end; c++) {
            partial[c] = SequentialRead.sum(data, (long) c * READ_CHUNK, (long) (c + 1) * READ_CHUNK);
        }
    }

    private float sum(int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += partial[i];
        }
        return s;
    }
}
