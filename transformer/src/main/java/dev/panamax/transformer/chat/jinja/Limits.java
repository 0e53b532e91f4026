package dev.panamax.transformer.chat.jinja;

/**
 * Bounds that keep a hostile template from hanging or exhausting memory: every value and the output
 * are at most {@code maxChars} characters (lists at most that many items), rendering takes at most
 * {@code maxSteps} evaluation steps, and macros and expressions nest at most {@code maxDepth} deep.
 */
public record Limits(int maxChars, long maxSteps, int maxDepth) {
    /** 4 Mi characters, 10 million steps, depth 200: far beyond what chat templates need. */
    public static final Limits DEFAULT = new Limits(4 << 20, 10_000_000L, 200);

    public Limits {
        if (maxChars <= 0 || maxSteps <= 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxChars + ", " + maxSteps + ", " + maxDepth);
        }
    }
}
