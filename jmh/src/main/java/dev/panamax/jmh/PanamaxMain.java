package dev.panamax.jmh;

import dev.panamax.jmh.synth.SynthCommand;
import dev.panamax.transformer.cli.Main;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole {@code ./panamax} command line: the transformer module's commands ({@link Main}) and this
 * module's {@code bench} and {@code synth}, and the serve module's {@code serve} (found on the class path), so that {@code panamax --help} lists them all and
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
        List<Object> commands = new ArrayList<>(List.of(new BenchMain(), new SynthCommand()));
        commands.addAll(onClassPath(SERVE));
        return Main.run(commands, args);
    }

    /** The serve module's command: a run-time dependency of this module, found by name so that nothing here compiles against it. */
    private static final String SERVE = "dev.panamax.serve.ServeCommand";

    /** An instance of each class named that is on the class path. */
    private static List<Object> onClassPath(String... classNames) {
        List<Object> found = new ArrayList<>();
        for (String name : classNames) {
            try {
                found.add(Class.forName(name).getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException e) {
                // not on this class path: the command is not offered
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + name, e);
            }
        }
        return found;
    }
}
