package dev.panamax.transformer.api;

import java.util.List;

/**
 * Watches streamed text for stop strings. Text that could still become the start of a stop string
 * is held back, so that what is passed on never contains (a piece of) one; once one appears, the
 * text before it is released and the rest dropped.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** Adds {@code piece}; returns the text that is now safe to pass on (possibly empty). */
    String accept(String piece) {
        if (matched) {
            return "";
        }
        held.append(piece);
        if (stops.isEmpty()) {
            return release(held.length());
        }
        int first = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            matched = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        return release(held.length() - longestPendingPrefix());
    }

    /** True once a stop string appeared. */
    boolean matched() {
        return matched;
    }

    /** What is still held at the end (a partial stop string that never completed). */
    String finish() {
        return matched ? "" : release(held.length());
    }

    /** The length of the longest suffix of the held text that is a proper prefix of a stop string. */
    private int longestPendingPrefix() {
        String h = held.toString();
        int best = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, h.length()); k > best; k--) {
                if (h.regionMatches(h.length() - k, s, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    private String release(int n) {
        String out = held.substring(0, n);
        held.delete(0, n);
        return out;
    }
}
