package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    /** Feeds {@code pieces} and returns what was passed on, then "|", then what finish() released. */
    private static String run(List<String> stops, String... pieces) {
        StopStrings s = new StopStrings(stops);
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            out.append(s.accept(p));
        }
        return out.append('|').append(s.finish()).toString();
    }

    @Test
    void aStopStringSplitAcrossPiecesIsCaughtAndLeftOut() {
        assertEquals("Hello |", run(List.of("END"), "Hello E", "N", "D and more", " never seen"));
    }

    @Test
    void textThatOnlyLooksLikeTheStartOfAStopStringIsReleasedOnceItCannotBeOne() {
        StopStrings s = new StopStrings(List.of("END"));
        assertEquals("ab", s.accept("abEN"));
        assertEquals("ENx", s.accept("x"));
        assertFalse(s.matched());
    }

    @Test
    void aPartialStopStringAtTheEndIsReleasedByFinish() {
        assertEquals("abc|EN", run(List.of("END"), "abc", "EN"));
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("world", "lo w"));
        assertEquals("hel", s.accept("hello world"));
        assertTrue(s.matched());
        assertEquals("", s.accept("more"));
    }

    @Test
    void withoutStopStringsEverythingPassesAtOnce() {
        assertEquals("abc|", run(List.of(), "a", "b", "c"));
    }
}
