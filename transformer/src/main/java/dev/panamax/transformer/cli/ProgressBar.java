package dev.panamax.transformer.cli;

import dev.panamax.transformer.LoadListener;
import java.io.Console;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal, redrawn in place with {@code \r}:
 * {@code Loading model.gguf [==========>         ]  52%  140/270 MiB}. It appears only once the work
 * has taken longer than a delay (quick loads print nothing) and only when enabled, which by default
 * means the console is a terminal, so that logs and pipes stay clean. {@link #close()} completes the
 * line if one was drawn.
 */
final class ProgressBar implements LoadListener, AutoCloseable {
    /** Loads quicker than this show no bar. */
    static final long DEFAULT_DELAY_NANOS = 300_000_000L;
    private static final int WIDTH = 30;

    private final String label;
    private final PrintWriter out;
    private final LongSupplier nanoClock;
    private final long delayNanos;
    private final boolean enabled;
    private final long start;
    private long lastDone = -1;
    private long lastTotal;
    private int drawnPermille = -1;

    /**
     * @param nanoClock  monotonic time in nanoseconds (System::nanoTime; a fake one in tests)
     * @param delayNanos how long the work must have run before the bar shows
     * @param enabled    false draws nothing at all
     */
    ProgressBar(String label, PrintWriter out, LongSupplier nanoClock, long delayNanos, boolean enabled) {
        this.label = label;
        this.out = out;
        this.nanoClock = nanoClock;
        this.delayNanos = delayNanos;
        this.enabled = enabled;
        this.start = nanoClock.getAsLong();
    }

    /** A bar for loading {@code what}, shown on {@code err} if the console is a terminal or {@code force} is set. */
    static ProgressBar forLoading(String what, PrintWriter err, boolean force) {
        return onTerminal("Loading " + what, err, force);
    }

    /** A bar labelled {@code label}, shown on {@code err} if the console is a terminal or {@code force} is set. */
    static ProgressBar onTerminal(String label, PrintWriter err, boolean force) {
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        return new ProgressBar(label, err, System::nanoTime, DEFAULT_DELAY_NANOS, force || terminal);
    }

    @Override
    public void loaded(long bytesDone, long bytesTotal) {
        lastDone = Math.max(0, Math.min(bytesDone, bytesTotal));
        lastTotal = bytesTotal;
        if (!enabled || nanoClock.getAsLong() - start < delayNanos) {
            return;
        }
        int permille = bytesTotal <= 0 ? 1000 : (int) (lastDone * 1000 / bytesTotal);
        if (permille / 10 != drawnPermille / 10 || drawnPermille < 0) { // redraw on each whole percent only
            draw(permille, lastDone, bytesTotal);
        }
    }

    /** Whether the bar has been drawn. */
    boolean shown() {
        return drawnPermille >= 0;
    }

    /** Completes a drawn bar at 100% and ends its line; prints nothing if none was drawn. */
    @Override
    public void close() {
        if (shown()) {
            draw(1000, lastTotal, lastTotal);
            out.print('\n');
            out.flush();
        }
    }

    /** The text of the bar at {@code permille} of {@code total} bytes (without the leading carriage return). */
    String render(int permille, long done, long total) {
        int filled = permille * WIDTH / 1000;
        StringBuilder s = new StringBuilder(label.length() + WIDTH + 32).append(label).append(" [");
        for (int i = 0; i < WIDTH; i++) {
            s.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        s.append("] ").append(String.format("%3d%%", permille / 10));
        return s.append("  ").append(size(done, total)).toString();
    }

    /** {@code done/total unit}, in the binary unit that suits {@code total}. */
    static String size(long done, long total) {
        if (total >= 1L << 30) {
            return String.format("%.1f/%.1f GiB", done / (double) (1L << 30), total / (double) (1L << 30));
        }
        int shift = total >= 1L << 20 ? 20 : 10;
        return String.format("%d/%d %s", done >> shift, total >> shift, shift == 20 ? "MiB" : "KiB");
    }

    private void draw(int permille, long done, long total) {
        out.print('\r');
        out.print(render(permille, done, total));
        out.flush();
        drawnPermille = permille;
    }
}
