package dev.panamax.serve;

import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.cli.LoraSpec;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code panamax serve --model FILE}: the OpenAI-compatible server ({@link OpenAiServer}) until the
 * process is stopped (Ctrl-C, SIGTERM).
 */
@Command(name = "serve", description = "Serve a model over an OpenAI-compatible HTTP API (chat, completions, embeddings).")
public final class ServeCommand implements Callable<Integer> {
    /** A command whose options picocli fills in from the command line. */
    public ServeCommand() {
    }

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The model: a GGUF file or a Hugging Face checkpoint directory.")
    Path model;

    @Option(names = "--embedding-model", paramLabel = "FILE", description = "A second model for /v1/embeddings (default: embed with --model).")
    Path embeddingModel;

    @Option(names = "--alias", paramLabel = "NAME", description = "The name clients give as \"model\" (default: the file's name without .gguf).")
    String alias;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "4", description = "Requests generating at once, each with its own KV cache (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--no-batch", description = "Step each request on a session of its own instead of decoding them together in one batch.")
    boolean noBatch;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait for a slot; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", description = "Context of each request's KV cache in tokens; 0 = the model's, capped at 4096 (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require 'Authorization: Bearer KEY' on every endpoint but /health (default: none; PANAMAX_API_KEY also sets it).")
    String apiKey;

    @Option(names = "--max-body", defaultValue = "4194304", description = "Largest request body in bytes (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds one read of a request body or one write of a response may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "CPU threads for the kernels; 0 = one per processor (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-b", "--backend"}, description = "Backend: cpu, reference or cuda (default: the fastest CPU backend).")
    String backend;

    @Option(names = "--template", paramLabel = "NAME", description = "Chat format instead of the model's template: a built-in format's name, a Jinja template's text, or a file.")
    String template;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", description = "A LoRA adapter: a GGUF adapter or a PEFT"
            + " directory, at SCALE (default 1) for requests that give no 'lora' field. Repeatable (ids 0, 1, ... in order; the"
            + " changes add up); a request's \"lora\": [{\"id\": 0, \"scale\": 0.5}] and POST /lora-adapters set other scales.")
    java.util.List<String> loras = new java.util.ArrayList<>();

    /** Set by tests: called with the server once it listens; the command then returns instead of waiting. */
    java.util.function.Consumer<OpenAiServer> started;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (parallel < 1 || queue < 0 || ctx < 0 || maxBody < 1 || timeoutSeconds < 1 || threads < 0 || port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--parallel, --timeout and --max-body must be positive; --queue, --ctx and"
                    + " --threads not negative; --port in 0..65535");
        }
        String key = apiKey != null ? apiKey : System.getenv("PANAMAX_API_KEY");
        ServerSettings settings = ServerSettings.defaults().listen(host, port).capacity(parallel, queue)
                .limits(maxBody, Duration.ofSeconds(timeoutSeconds)).apiKey(key == null || key.isEmpty() ? null : key).batched(!noBatch);
        ModelOptions options = ModelOptions.defaults().backend(backend).threads(threads).contextLength(ctx).chatTemplate(template);
        java.util.List<ServedAdapter> adapters = new java.util.ArrayList<>();
        for (String lora : loras) {
            LoraSpec parsed = LoraSpec.parse(lora);
            if (parsed == null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--lora': " + lora
                        + " (it must be FILE or FILE:SCALE with a finite SCALE)");
            }
            LoraAdapter adapter = LoraAdapter.open(parsed.path());
            adapters.add(new ServedAdapter(parsed.path().toString(), adapter, parsed.scale()));
        }
        // the base model alone: each request picks its adapters (the --lora scales unless it gives its own)
        try (LanguageModel generator = LanguageModel.open(model, options);
             LanguageModel embedder = embeddingModel == null ? null : LanguageModel.open(embeddingModel, options)) {
            AdapterSet every = AdapterSet.NONE; // a request may pick any of them, also one whose --lora scale is 0
            for (ServedAdapter a : adapters) {
                every = every.with(a.adapter(), 1);
            }
            if (!every.isEmpty()) {
                generator.newSession(every).close(); // an adapter that does not fit this model fails here, naming the tensor
            }
            ServedModel served = new ServedModel(alias != null ? alias : ServedModel.idOf(model), generator, adapters);
            ServedModel embedding = embedder == null ? null : new ServedModel(ServedModel.idOf(embeddingModel), embedder);
            try (OpenAiServer server = OpenAiServer.start(served, embedding, settings)) {
                err.printf("panamax serve: %s on %s (%d parallel, context %d, %s)%n", served.id(), server.uri(), parallel,
                        generator.model().config().contextLength(), key == null ? "no API key" : "API key required");
                err.flush();
                if (started != null) {
                    started.accept(server);
                    return 0;
                }
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
        }
        return 0;
    }
}
