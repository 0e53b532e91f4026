package dev.panamax.transformer.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the {@code panamax} command line; each subcommand is its own class. The standard
 * {@code -h/--help} and {@code -V/--version} options are inherited by every subcommand, those that
 * other modules add through {@link #run(List, String...)} included.
 */
@Command(name = "panamax", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "panamax 0.1.0",
        description = "Tensor and transformer kernels for the JVM.",
        commandListHeading = "%nCommands (panamax help COMMAND, or COMMAND --help, describes each):%n",
        subcommands = {InfoCommand.class, InspectCommand.class, QuantizeCommand.class, GenerateCommand.class,
                TokenizeCommand.class, ChatCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args the command and its options, e.g. {@code generate --model FILE --prompt TEXT}
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code (for tests).
     *
     * @param args the command and its options
     * @return 0 on success, 1 if the command failed, 2 for a usage error
     */
    public static int run(String... args) {
        return run(List.of(), args);
    }

    /**
     * Runs the command line with more subcommands, which modules further up the stack bring (the
     * benchmark module adds {@code bench} and {@code synth}); they inherit {@code --help} and the error
     * handling like this module's own.
     *
     * @param moreCommands picocli {@code @Command} objects, each named by its annotation
     * @param args         the command and its options
     * @return 0 on success, 1 if the command failed, 2 for a usage error
     */
    public static int run(List<?> moreCommands, String... args) {
        return commandLine(moreCommands).execute(args);
    }

    /**
     * A new {@code panamax} command line with this module's subcommands and {@code moreCommands}. A failed
     * command prints one line, {@code panamax COMMAND: message}, and exits with 1 (the stack trace too
     * with {@code -Dpanamax.debug=true}).
     */
    static CommandLine commandLine(List<?> moreCommands) {
        CommandLine cli = new CommandLine(new Main());
        moreCommands.forEach(cli::addSubcommand);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("panamax " + commandLine.getCommandName() + ": " + e.getMessage());
            if (Boolean.getBoolean("panamax.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }
}
