package dev.panamax.kernels.cpu;

/**
 * The sizes at and below which the {@code cpu} backend runs a kernel as scalar code on the caller's thread
 * ({@link ScalarLoops}, {@link ScalarKernels}, {@link SmallAttention}, {@link SmallMatmul}) instead of Vector API
 * code: for such inputs vectors gain little once compiled, and until C2 has compiled them they run 20-100x slower
 * and allocate, which is what the first tokens of a small model (stories260K: dim 64) met. The defaults favour
 * start-up: measured on stories260K (docs/benchmarks.md, "small models and start-up"), they made every
 * {@code generate} of a few hundred tokens 1.3-3x faster, while a long decode, once C2 has compiled the vector
 * kernels, is up to 2x slower than with the vector paths. {@code -Dpanamax.cpu.scalar.matmul=N},
 * {@code .elements=N} and {@code .attention=N} override them (0: never scalar).
 *
 * @param matmulWork    multiply-adds {@code M N K} of a matmul
 * @param elements      elements of an element-wise kernel, a norm or a softmax (all rows)
 * @param attentionWork multiply-adds of an attention call, {@code tokens Hq D} times the visible positions
 */
record SmallShapes(long matmulWork, long elements, long attentionWork) {
    /** Never scalar: every kernel takes its vector path (for tests of those paths on small inputs). */
    static final SmallShapes NONE = new SmallShapes(0, 0, 0);
    /** Always scalar (for tests of the scalar paths on large inputs). */
    static final SmallShapes ALL = new SmallShapes(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    SmallShapes {
        if (matmulWork < 0 || elements < 0 || attentionWork < 0) {
            throw new IllegalArgumentException("small-shape thresholds must be >= 0: " + matmulWork + ", " + elements + ", "
                    + attentionWork);
        }
    }

    /** The measured defaults, or the {@code panamax.cpu.scalar.*} system properties where set. */
    static SmallShapes defaults() {
        return new SmallShapes(property("matmul", 1L << 16), property("elements", 1L << 10), property("attention", 1L << 16));
    }

    private static long property(String name, long fallback) {
        String key = "panamax.cpu.scalar." + name;
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + key + " must be a count >= 0, got '" + value + "'");
    }
}
