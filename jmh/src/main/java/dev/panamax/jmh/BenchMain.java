package dev.panamax.jmh;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import dev.panamax.jmh.blas.OpenBlas;
import dev.panamax.jmh.e2e.EndToEndBench;
import dev.panamax.jmh.kernels.RandomTensors;
import dev.panamax.jmh.peer.LlamaCppPeer;
import dev.panamax.jmh.report.BenchRecord;
import dev.panamax.jmh.report.Comparison;
import dev.panamax.jmh.report.MachineInfo;
import dev.panamax.jmh.report.PeerResult;
import dev.panamax.jmh.report.ReportWriter;
import dev.panamax.jmh.report.ResultFile;
import dev.panamax.jmh.report.SummaryRow;
import dev.panamax.jmh.synth.SynthCommand;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.OpsProvider;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: runs the JMH suite programmatically and writes the roofline report, or compares
 * two earlier runs. Runs on the class path (JMH forks inherit it).
 *
 * <pre>
 * bench [--quick|--full] [--backend cpu,reference] [--threads N] [--out DIR] [--include REGEX] [--llamacpp-dir DIR]
 * bench --compare A.json B.json [--out DIR]
 * bench synth --shape tinyllama-1.1b --layers 2 --type q4_k_m --out model.gguf
 * </pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "panamax bench 0.1.0",
        description = "Benchmarks Panamax's kernels against the machine's measured limits (FMA peak, read bandwidth)"
                + " and OpenBLAS, and writes results.json, summary.md and PNG charts.",
        subcommands = SynthCommand.class)
public final class BenchMain implements Callable<Integer> {
    /** Creates the benchmark; JMH sets the {@code @Param} fields and calls the {@code @Setup} method before measuring. */
    public BenchMain() {
    }

    /** Flags every forked benchmark JVM needs. */
    public static final String[] FORK_FLAGS = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"};

    static final class ProfileChoice {
        @Option(names = "--quick", description = "Few sizes, one fork, short iterations: a few minutes (default).")
        boolean quick;

        @Option(names = "--full", description = "Every size and dtype, two forks, 1 s iterations: hours on small machines.")
        boolean full;
    }

    @ArgGroup(exclusive = true)
    ProfileChoice profileChoice;

    @Option(names = "--backend", split = ",", defaultValue = "cpu", description = "Backends to benchmark (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--threads", description = "Threads for the kernels and the all-core limits (default: all processors).")
    Integer threads;

    @Option(names = "--out", defaultValue = "bench-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--include", description = "Only benchmarks whose name (e.g. MatmulBench.matmul) matches this regex.")
    String include;

    @Option(names = "--compare", arity = "2", paramLabel = "JSON", description = "Compare two results.json files (A B).")
    List<Path> compare;

    @Option(names = "--dry-run", description = "Print the jobs and notes without running anything.")
    boolean dryRun;

    @Option(names = "--llamacpp-dir", paramLabel = "DIR", description = "Where node-llama-cpp is installed, for llama.cpp's"
            + " tokens/s on the same models after the end-to-end runs (default: $PANAMAX_LLAMACPP_DIR or"
            + " ~/.cache/panamax/node-llama-cpp; skipped with a note when absent).")
    Path llamaCppDir;

    @Option(names = "--no-llamacpp", description = "Do not run llama.cpp after the end-to-end benchmarks.")
    boolean noLlamaCpp;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the command line's arguments (see {@code --help})
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code.
     *
     * @param args the command line's arguments
     * @return 0 on success, as picocli's exit codes otherwise
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("bench: " + e.getMessage());
            if (Boolean.getBoolean("panamax.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        System.setProperty("java.awt.headless", "true");
        PrintWriter log = spec.commandLine().getOut();
        if (compare != null) {
            Comparison c = ReportWriter.compare(compare.get(0), compare.get(1), out);
            log.println(c.markdown());
            log.println("wrote " + out.resolve("comparison.md") + " and " + out.resolve("comparison.png"));
            return 0;
        }
        Profile profile = profileChoice != null && profileChoice.full ? Profile.FULL : Profile.QUICK;
        int team = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        List<String> notes = new ArrayList<>();
        List<Job> jobs = plan(profile, team, notes);
        log.println("bench: " + profile.name().toLowerCase() + " profile, " + jobs.size() + " jobs");
        jobs.forEach(j -> log.println("  " + j.names() + " " + j.params()));
        notes.forEach(n -> log.println("  note: " + n));
        log.flush();
        if (dryRun) {
            return 0;
        }
        MachineInfo machine = MachineInfo.detect();
        if (machine.load() > machine.cores() * 0.5) {
            notes.add("Measured under load: the 1-minute load average was " + machine.load() + " on " + machine.cores()
                    + " cores when the run started, so figures may be low.");
        }
        Files.createDirectories(out);
        List<Object> results = new ArrayList<>();
        for (Job job : jobs) {
            results.addAll(runJob(job, profile, notes));
            // keep what is done so far, in case the run is interrupted
            new ResultFile(machine, profile.name().toLowerCase(), notes, results).write(out.resolve(ReportWriter.RESULTS));
        }
        List<PeerResult> peers = noLlamaCpp ? List.of() : runPeer(new ResultFile(machine, "", notes, results).records(), profile, notes, log);
        ResultFile run = new ResultFile(machine, profile.name().toLowerCase(), notes, results, peers);
        List<SummaryRow> rows = ReportWriter.write(run, out);
        log.println("bench: " + rows.size() + " results; wrote " + out.resolve(ReportWriter.RESULTS) + ", "
                + out.resolve(ReportWriter.SUMMARY) + " and charts in " + out);
        return 0;
    }

    /** llama.cpp on each synthetic model that EndToEndBench ran, with the same threads. */
    private List<PeerResult> runPeer(List<BenchRecord> records, Profile profile, List<String> notes, PrintWriter log) {
        List<BenchRecord> e2e = records.stream().filter(r -> r.kernel().startsWith("EndToEndBench.")).toList();
        if (e2e.isEmpty()) {
            return List.of();
        }
        LlamaCppPeer peer = new LlamaCppPeer(llamaCppDir != null ? llamaCppDir : LlamaCppPeer.defaultDirectory());
        String why = peer.unavailableReason().orElse(null);
        if (why != null) {
            notes.add(why);
            return List.of();
        }
        List<PeerResult> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (BenchRecord r : e2e) {
            String shape = r.param("shape"), type = r.param("type");
            int layers = r.intParam("layers", 0), threads = r.intParam("threads", 1);
            if (!done.add(shape + "/" + layers + "/" + type + "/" + threads)) {
                continue;
            }
            Path model = EndToEndBench.modelFile(shape, layers, type);
            log.println("bench: llama.cpp on " + model + " (" + threads + " threads)");
            log.flush();
            try {
                out.add(peer.measure(model, shape, layers, type, threads, profile == Profile.FULL ? 5 : 2));
            } catch (IOException e) {
                notes.add("llama.cpp could not run " + model.getFileName() + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The jobs to run after dropping unavailable backends, a missing OpenBLAS and the --include filter. */
    List<Job> plan(Profile profile, int team, List<String> notes) {
        List<String> usable = new ArrayList<>();
        for (String name : backends) {
            String why;
            try {
                OpsProvider p = Backends.provider(name);
                why = p.unavailableReason().orElse(null);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
            if (why == null) {
                usable.add(name);
            } else {
                notes.add("Backend '" + name + "' skipped: " + why);
            }
        }
        notes.add("Weights are random; quantized weights: " + RandomTensors.quantizedSource() + ".");
        String blasMissing = OpenBlas.unavailableReason().orElse(null);
        if (blasMissing != null) {
            notes.add(blasMissing);
        }
        Pattern filter = include == null ? null : Pattern.compile(include);
        List<Job> jobs = new ArrayList<>();
        for (Job job : profile.jobs(usable, team)) {
            if (job.benchmark().getPackageName().endsWith(".blas") && blasMissing != null) {
                continue;
            }
            if (job.usesBackend() && usable.isEmpty()) {
                continue;
            }
            if (filter != null) {
                String simpleName = job.benchmark().getSimpleName();
                List<String> kept = job.methods().stream().filter(m -> filter.matcher(simpleName + "." + m).find()).toList();
                if (kept.isEmpty()) {
                    continue;
                }
                job = job.only(kept);
            }
            jobs.add(job);
        }
        if (usable.isEmpty()) {
            notes.add("No usable backend among " + backends + ": only the machine limits and OpenBLAS were measured.");
        }
        return jobs;
    }

    private List<Object> runJob(Job job, Profile profile, List<String> notes) throws IOException {
        Path json = Files.createTempFile("panamax-jmh-", ".json");
        try {
            int warmups = job.maxOps() > 0 ? Math.min(1, profile.warmupIterations()) : profile.warmupIterations();
            int measurements = job.maxOps() > 0 ? Math.min(job.maxOps() - warmups, profile.measurementIterations())
                    : profile.measurementIterations();
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .forks(profile.forks())
                    .warmupIterations(warmups)
                    .warmupTime(TimeValue.milliseconds(profile.warmupMillis()))
                    .measurementIterations(measurements)
                    .measurementTime(TimeValue.milliseconds(profile.measurementMillis()))
                    .jvmArgsAppend(forkFlags())
                    .shouldFailOnError(false)
                    .result(json.toString())
                    .resultFormat(ResultFormatType.JSON);
            for (String name : job.names()) {
                o.include("^" + Pattern.quote(name) + "$");
            }
            job.params().forEach((k, v) -> o.param(k, v.toArray(String[]::new)));
            int expected = job.methods().size() * job.params().values().stream().mapToInt(List::size).reduce(1, (a, b) -> a * b);
            new Runner(o.build()).run();
            List<Object> results = Files.size(json) == 0 ? List.of() : ResultFile.readJmhArray(json);
            if (results.size() < expected) {
                notes.add((expected - results.size()) + " of " + expected + " runs of " + job.names()
                        + " produced no result (the benchmark failed; see the JMH log).");
            }
            return results;
        } catch (RunnerException e) {
            notes.add("JMH could not run " + job.names() + ": " + e.getMessage());
            return List.of();
        } finally {
            Files.deleteIfExists(json);
        }
    }

    private static String[] forkFlags() {
        List<String> flags = new ArrayList<>(List.of(FORK_FLAGS));
        for (String property : List.of("panamax.openblas", "panamax.models")) {
            String v = System.getProperty(property);
            if (v != null) {
                flags.add("-D" + property + "=" + v);
            }
        }
        return flags.toArray(String[]::new);
    }
}
