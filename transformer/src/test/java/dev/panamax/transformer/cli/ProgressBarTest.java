package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long MS = 1_000_000L;
    private static final long MIB = 1L << 20;

    /** A clock the test moves by hand. */
    private static final class FakeClock {
        long now = 5_000 * MS;
    }

    private final FakeClock clock = new FakeClock();
    private final StringWriter text = new StringWriter();

    private ProgressBar bar(boolean enabled) {
        return new ProgressBar("Loading m.gguf", new PrintWriter(text), () -> clock.now, 300 * MS, enabled);
    }

    @Test
    void aQuickLoadPrintsNothing() {
        ProgressBar bar = bar(true);
        for (long done = 0; done <= 100 * MIB; done += 10 * MIB) {
            clock.now += 20 * MS;
            bar.loaded(done, 100 * MIB);
        }
        bar.close();
        assertFalse(bar.shown());
        assertEquals("", text.toString());
    }

    @Test
    void aSlowLoadDrawsInPlaceAndEndsAtOneHundredPercent() {
        ProgressBar bar = bar(true);
        bar.loaded(0, 200 * MIB);
        clock.now += 299 * MS;
        bar.loaded(10 * MIB, 200 * MIB);
        assertEquals("", text.toString(), "not before the delay");
        clock.now += 1 * MS;
        bar.loaded(50 * MIB, 200 * MIB);
        assertEquals("\rLoading m.gguf [=======>                      ]  25%  50/200 MiB", text.toString());
        bar.loaded(51 * MIB, 200 * MIB); // 25.5%: same whole percent, no redraw
        assertEquals(1, count(text.toString(), '\r'));
        bar.loaded(150 * MIB, 200 * MIB);
        bar.close();
        String[] frames = text.toString().split("\r", -1);
        assertEquals(4, frames.length, text.toString());
        assertEquals("Loading m.gguf [======================>       ]  75%  150/200 MiB", frames[2]);
        assertEquals("Loading m.gguf [==============================] 100%  200/200 MiB\n", frames[3]);
    }

    @Test
    void aDisabledBarPrintsNothingHoweverSlow() {
        ProgressBar bar = bar(false);
        clock.now += 10_000 * MS;
        bar.loaded(1, 2);
        bar.close();
        assertEquals("", text.toString());
    }

    @Test
    void sizesUseTheUnitThatSuitsTheTotal() {
        assertEquals("3/700 KiB", ProgressBar.size(3 * 1024 + 5, 700 * 1024));
        assertEquals("12/512 MiB", ProgressBar.size(12 * MIB, 512 * MIB));
        assertEquals("1.5/4.0 GiB", ProgressBar.size(1536 * MIB, 4096 * MIB));
    }

    @Test
    void theBarFillsInProportion() {
        ProgressBar bar = bar(true);
        String empty = bar.render(0, 0, MIB);
        String full = bar.render(1000, MIB, MIB);
        assertTrue(empty.contains("[>" + " ".repeat(29) + "]   0%"), empty);
        assertTrue(full.contains("[" + "=".repeat(30) + "] 100%"), full);
        for (int permille = 0; permille <= 1000; permille += 37) {
            String s = bar.render(permille, 0, MIB);
            assertEquals(permille * 30 / 1000, count(s, '='), s);
        }
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }
}
