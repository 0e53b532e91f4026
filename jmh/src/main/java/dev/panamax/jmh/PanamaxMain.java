package dev.panamax.jmh;

import dev.panamax.jmh.synth.SynthCommand;
import dev.panamax.transformer.cli.Main;
import java.util.List;

/**
 * The whole {@code ./panamax} command line: the transformer module's commands ({@link Main}) and this
 * module's {@code bench} and {@code synth}, so that {@code panamax --help} lists them all and
 * {@code panamax help bench} works. It lives here because the transformer module cannot see this one.
 */
public final class PanamaxMain {
    private PanamaxMain() {
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the command and its options
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code.
     *
     * @param args the command and its options
     * @return 0 on success, 1 if the command failed, 2 for a usage error
     */
    public static int run(String... args) {
        return Main.run(List.of(new BenchMain(), new SynthCommand()), args);
    }
}
