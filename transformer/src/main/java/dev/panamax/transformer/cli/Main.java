package dev.panamax.transformer.cli;

import java.util.ArrayList;
import java.util.Arrays;
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
        commandListHeading = "%nCommands (panamax help COMMAND, or COMMAND --help, describes each):%n")
public final class Main {
    /**
     * This module's subcommands, in the order {@code panamax --help} lists them. They are added in code, not
     * through the annotation's {@code subcommands}, so that a run can build only the one it was asked for.
     */
    private static final List<Class<?>> COMMANDS = List.of(InfoCommand.class, InspectCommand.class, QuantizeCommand.class,
            GenerateCommand.class, TokenizeCommand.class, ChatCommand.class, LoraCommand.class, CommandLine.HelpCommand.class);

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
        Object named = args.length == 0 ? null : named(moreCommands, args[0]);
        return (named == null ? commandLine(moreCommands) : withCommands(List.of(named))).execute(args);
    }

    /**
     * The subcommand (a class of {@link #COMMANDS} or one of {@code moreCommands}) whose name or alias is
     * {@code first}, or null (an option, {@code help}, a typo: those need the whole tree). picocli reads every
     * option of every command it is given, reflectively (and its Java 5 classes stay out of the AOT cache): the whole tree cost
     * about 0.5 s of CPU on each start, ten times the JVM's own (docs/benchmarks.md), so a run builds only the command it runs.
     */
    private static Object named(List<?> moreCommands, String first) {
        List<Object> all = new ArrayList<>(COMMANDS);
        all.addAll(moreCommands);
        for (Object command : all) {
            Class<?> type = command instanceof Class<?> c ? c : command.getClass();
            Command annotation = type.getAnnotation(Command.class);
            if (annotation != null && type != CommandLine.HelpCommand.class
                    && (annotation.name().equals(first) || Arrays.asList(annotation.aliases()).contains(first))) {
                return command;
            }
        }
        return null;
    }

    /**
     * A new {@code panamax} command line with this module's subcommands and {@code moreCommands}. A failed
     * command prints one line, {@code panamax COMMAND: message}, and exits with 1 (the stack trace too
     * with {@code -Dpanamax.debug=true}).
     */
    static CommandLine commandLine(List<?> moreCommands) {
        List<Object> all = new ArrayList<>(COMMANDS);
        all.addAll(moreCommands);
        return withCommands(all);
    }

    /** A {@code panamax} command line with just {@code commands} (classes or instances) as its subcommands. */
    private static CommandLine withCommands(List<?> commands) {
        CommandLine cli = new CommandLine(new Main());
        for (Object command : commands) {
            cli.addSubcommand(command); // picocli instantiates a class itself
        }
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
