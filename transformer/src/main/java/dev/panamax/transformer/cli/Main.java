package dev.panamax.transformer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code panamax} command line; each subcommand is its own class. */
@Command(name = "panamax", mixinStandardHelpOptions = true, version = "panamax 0.1.0",
        description = "Tensor and transformer kernels for the JVM.",
        subcommands = {InfoCommand.class, InspectCommand.class, QuantizeCommand.class, GenerateCommand.class,
                TokenizeCommand.class, ChatCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("panamax " + commandLine.getCommandName() + ": " + e.getMessage());
            if (Boolean.getBoolean("panamax.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
