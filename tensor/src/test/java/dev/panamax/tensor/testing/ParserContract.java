package dev.panamax.tensor.testing;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.List;

/**
 * The property every parser's fuzz target checks (see docs/reliability.md): whatever the input,
 * the parser gives a result or its own typed exception, never any other exception or error, and
 * the heap it allocates before answering (measured on a second run, once classes and caches are
 * initialized) stays below {@link #BYTES_PER_INPUT_BYTE} times the input's size plus {@link #SLACK}: a parser sizes its work by what it has read, never by a count
 * or length the input merely claims.
 */
public final class ParserContract {
    /**
     * Heap bytes a parser may allocate per byte of input. Java strings and map entries cost about
     * 10-30 bytes for each short token or key of a few input bytes; 64 leaves room for that and
     * catches any allocation sized by a claimed count (those are millions of times the input).
     */
    public static final long BYTES_PER_INPUT_BYTE = 64;
    /** Fixed allowance: lookup tables, buffers and the like that do not grow with the input. */
    public static final long SLACK = 8L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ParserContract() {
    }

    /** The parse, as a fuzz target writes it: may throw anything. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /**
     * Runs {@code parse} on {@code input} and fails (AssertionError naming the input) if it throws
     * anything but {@code typed} (subclasses included), or allocates more than the bound.
     */
    public static void check(String parser, byte[] input, Class<? extends Exception> typed, Parse parse) {
        check(parser, input, List.of(typed), parse);
    }

    /** As {@link #check(String, byte[], Class, Parse)}, for a parser with several typed exceptions. */
    public static void check(String parser, byte[] input, List<Class<? extends Exception>> typed, Parse parse) {
        outcome(parser, input, typed, parse); // the first run also initializes classes and caches: not the parser's cost
        long thread = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        outcome(parser, input, typed, parse);
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        long bound = BYTES_PER_INPUT_BYTE * input.length + SLACK;
        if (allocated > bound) {
            throw new AssertionError(parser + " allocated " + allocated + " bytes of heap for " + input.length
                    + " bytes of input (bound " + bound + ")" + describe(input));
        }
    }

    private static void outcome(String parser, byte[] input, List<Class<? extends Exception>> typed, Parse parse) {
        try {
            parse.run();
        } catch (Exception e) {
            if (typed.stream().noneMatch(t -> t.isInstance(e))) {
                throw new AssertionError(parser + " threw " + e + " instead of a result or one of "
                        + typed.stream().map(Class::getSimpleName).toList() + describe(input), e);
            }
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError(parser + " threw " + e.getClass().getSimpleName() + " without a message" + describe(input), e);
            }
        } catch (StackOverflowError | OutOfMemoryError e) {
            throw new AssertionError(parser + " ran out of stack or heap" + describe(input), e);
        }
    }

    private static String describe(byte[] input) {
        int shown = Math.min(input.length, 256);
        return "; input (" + input.length + " bytes" + (shown < input.length ? ", first " + shown : "") + "): "
                + HexFormat.of().formatHex(input, 0, shown);
    }
}
