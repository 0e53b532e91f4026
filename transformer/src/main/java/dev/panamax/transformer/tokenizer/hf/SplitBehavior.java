package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What a split does with the text its pattern matches (Hugging Face's {@code SplitDelimiterBehavior}).
 * The text is cut into alternating matched and unmatched stretches; then a match is dropped
 * ({@link #REMOVED}), kept as its own piece ({@link #ISOLATED}), glued to the piece before it
 * ({@link #MERGED_WITH_PREVIOUS}) or after it ({@link #MERGED_WITH_NEXT}), or runs of matches and of
 * non-matches become one piece each ({@link #CONTIGUOUS}). Empty pieces are never produced.
 */
public enum SplitBehavior {
    REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    /** The behaviour named {@code node} ({@code "Removed"}, {@code "Isolated"}, ...). */
    static SplitBehavior read(JsonNode node) {
        return switch (node.string()) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw node.fail("unsupported split behavior (supported: Removed, Isolated, "
                    + "MergedWithPrevious, MergedWithNext, Contiguous)");
        };
    }

    /**
     * Splits {@code text} at {@code matches} (non-overlapping {@code {start, end}} char ranges, in order)
     * and appends the pieces to {@code out}; {@code invert} swaps the roles of matched and unmatched text.
     */
    void split(String text, List<int[]> matches, boolean invert, List<String> out) {
        // segments: {start, end, isMatch}, covering the text
        List<int[]> segments = new ArrayList<>(matches.size() * 2 + 1);
        int prev = 0;
        for (int[] m : matches) {
            if (m[0] > prev) {
                segments.add(new int[] {prev, m[0], invert ? 1 : 0});
            }
            segments.add(new int[] {m[0], m[1], invert ? 0 : 1});
            prev = m[1];
        }
        if (prev < text.length()) {
            segments.add(new int[] {prev, text.length(), invert ? 1 : 0});
        }
        List<int[]> pieces = new ArrayList<>(segments.size());
        switch (this) {
            case REMOVED -> segments.stream().filter(s -> s[2] == 0).forEach(pieces::add);
            case ISOLATED -> pieces.addAll(segments);
            case CONTIGUOUS -> {
                boolean previousMatch = false;
                for (int[] s : segments) {
                    if (!pieces.isEmpty() && (s[2] == 1) == previousMatch) {
                        pieces.getLast()[1] = s[1];
                    } else {
                        pieces.add(s.clone());
                    }
                    previousMatch = s[2] == 1;
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                boolean previousMatch = false;
                for (int[] s : segments) {
                    if (s[2] == 1 && !previousMatch && !pieces.isEmpty()) {
                        pieces.getLast()[1] = s[1];
                    } else {
                        pieces.add(s.clone());
                    }
                    previousMatch = s[2] == 1;
                }
            }
            case MERGED_WITH_NEXT -> {
                boolean previousMatch = false;
                for (int i = segments.size() - 1; i >= 0; i--) {
                    int[] s = segments.get(i);
                    if (s[2] == 1 && !previousMatch && !pieces.isEmpty()) {
                        pieces.getLast()[0] = s[0];
                    } else {
                        pieces.add(s.clone());
                    }
                    previousMatch = s[2] == 1;
                }
                java.util.Collections.reverse(pieces);
            }
        }
        for (int[] p : pieces) {
            if (p[1] > p[0]) {
                out.add(text.substring(p[0], p[1]));
            }
        }
    }

    /** Every code point of {@code text} that {@code test} accepts, as its own match. */
    static List<int[]> eachCodePoint(String text, IntPredicate test) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (test.test(cp)) {
                out.add(new int[] {i, i + n});
            }
            i += n;
        }
        return out;
    }
}
