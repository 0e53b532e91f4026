package dev.panamax.serve;

import com.sun.net.httpserver.HttpExchange;
import dev.panamax.serve.Requests.ChatCompletionRequest;
import dev.panamax.serve.Requests.CompletionRequest;
import dev.panamax.serve.Requests.DetokenizeRequest;
import dev.panamax.serve.Requests.EmbeddingRequest;
import dev.panamax.serve.Requests.TokenizeRequest;
import dev.panamax.serve.Responses.AssistantMessage;
import dev.panamax.serve.Responses.ChatLogprobs;
import dev.panamax.serve.Responses.FunctionDelta;
import dev.panamax.serve.Responses.TokenLogprob;
import dev.panamax.serve.Responses.ToolCallDelta;
import dev.panamax.serve.Responses.ToolCallOut;
import dev.panamax.serve.Responses.ChatChoice;
import dev.panamax.serve.Responses.ChatChunk;
import dev.panamax.serve.Responses.ChatCompletion;
import dev.panamax.serve.Responses.ChunkChoice;
import dev.panamax.serve.Responses.Delta;
import dev.panamax.serve.Responses.EmbeddingData;
import dev.panamax.serve.Responses.TextChoice;
import dev.panamax.serve.Responses.TextCompletion;
import dev.panamax.serve.Responses.Usage;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.sampling.grammar.TokenTrie;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.IntFunction;

/** The endpoints: each reads its request, does the work (generation through the {@link Scheduler}) and answers. */
final class Endpoints {
    private final ServedModel generator;
    private final ServedModel embedder;
    private final Scheduler scheduler;
    private final ServerSettings settings;
    private final Watchdog watchdog;
    private final Semaphore embedding;
    private final AdapterScales adapters;
    /** The vocabulary trie a grammar's masks walk: built once per tokenizer, on the first request's thread. */
    private final Function<Tokenizer, TokenTrie> tries;
    private final long created = System.currentTimeMillis() / 1000;

    Endpoints(ServedModel generator, ServedModel embedder, Scheduler scheduler, ServerSettings settings, Watchdog watchdog,
              Function<Tokenizer, TokenTrie> tries) {
        this.tries = tries;
        this.generator = generator;
        this.embedder = embedder;
        this.scheduler = scheduler;
        this.settings = settings;
        this.watchdog = watchdog;
        this.embedding = new Semaphore(settings.parallel());
        this.adapters = new AdapterScales(generator.adapters());
    }

    void chatCompletions(HttpExchange exchange) throws IOException {
        ChatCompletionRequest req = Json.read(body(exchange), ChatCompletionRequest.class);
        ServedModel m = generating(req.model());
        ChatPrompt chat = ChatPrompt.of(req, m.model().chatFormat(), ResponseFormat.grammar(req.responseFormat()));
        GenerateOptions options = req.options().grammar(chat.grammar());
        int top = req.logprobsWanted();
        AdapterSet lora = adapters.forRequest(req.lora());
        if (options.grammar() != null) {
            // the trie takes seconds for a large vocabulary (Qwen3: 5.1 s) the first time: built here, on this request's
            // thread, it never stalls the scheduler, whose generation then finds it made
            tries.apply(m.model().tokenizer());
        }
        int[] prompt = m.model().tokenizer().encode(chat.text(), chat.tokenizerAddsBos(), true);
        String id = "chatcmpl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        long now = System.currentTimeMillis() / 1000;
        Tokenizer tokenizer = m.model().tokenizer();
        int n = choices(req.n());
        if (!req.streamed()) {
            List<Whole> wholes = generateWhole(prompt, fitted(prompt, options, m, "messages"), lora, n, "messages", tokenizer, top);
            List<ChatChoice> choices = new ArrayList<>(n);
            int generated = 0;
            for (int i = 0; i < n; i++) {
                Completion c = wholes.get(i).completion();
                ChatPrompt.Reply reply = chat.read(c.text());
                boolean calls = !reply.calls().isEmpty();
                choices.add(new ChatChoice(i, new AssistantMessage("assistant", reply.content(), null, calls ? reply.calls() : null),
                        top < 0 ? null : new ChatLogprobs(wholes.get(i).logprobs(), null), Responses.finishReason(c.stopReason(), calls)));
                generated += c.generatedTokens();
            }
            HttpIo.json(exchange, 200, new ChatCompletion(id, "chat.completion", now, m.id(), choices, Usage.of(prompt.length, generated), null),
                    watchdog, settings.ioTimeout());
            return;
        }
        boolean includeUsage = req.streamOptions() != null && Boolean.TRUE.equals(req.streamOptions().includeUsage());
        stream(exchange, prompt, fitted(prompt, options, m, "messages"), lora, n, "messages", tokenizer, top, index -> new StreamShape() {
            private final StringBuilder generated = new StringBuilder();
            private final List<TokenLogprob> pending = new ArrayList<>();
            private final String idPrefix = ChatPrompt.idPrefix();
            private int shown;
            /** Calls sent so far, each as soon as it was settled; and how much of the text was settled then. */
            private int sentCalls;
            private int settled;

            @Override
            public Object first() {
                return chunk(new Delta("assistant", ""), null, null);
            }

            @Override
            public Object piece(String piece, List<TokenLogprob> logprobs) {
                generated.append(piece);
                pending.addAll(logprobs);
                String soFar = generated.toString();
                int upTo = chat.shownLength(soFar);
                String text = null; // held back while it may be turning into a tool call
                if (upTo > shown) {
                    text = generated.substring(shown, upTo);
                    shown = upTo;
                }
                List<ToolCallDelta> calls = null;
                int nowSettled = chat.settledLength(soFar);
                if (nowSettled > settled) { // a call may have been completed: send it now, as OpenAI streams each call
                    settled = nowSettled;
                    List<ToolCallOut> settledCalls = chat.settledCalls(soFar, idPrefix);
                    for (; sentCalls < settledCalls.size(); sentCalls++) {
                        calls = calls == null ? new ArrayList<>() : calls;
                        calls.add(whole(sentCalls, settledCalls.get(sentCalls)));
                    }
                }
                return text == null && calls == null ? null : chunk(new Delta(null, text, calls), takePending(), null);
            }

            /** A settled call in one delta: its index, id, type, name and arguments. */
            private ToolCallDelta whole(int index, ToolCallOut call) {
                return new ToolCallDelta(index, call.id(), "function", new FunctionDelta(call.function().name(), call.function().arguments()));
            }

            @Override
            public List<Object> last(Completion c, List<TokenLogprob> logprobs) {
                pending.addAll(logprobs);
                ChatPrompt.Reply reply = chat.read(c.text(), idPrefix);
                List<Object> events = new ArrayList<>();
                if (reply.calls().isEmpty() && sentCalls == 0) {
                    if (shown < generated.length()) {
                        events.add(chunk(new Delta(null, generated.substring(shown)), takePending(), null));
                    }
                    events.add(chunk(new Delta(null, null), takePending(), Responses.finishReason(c.stopReason())));
                    return events;
                }
                String before = generated.substring(0, shown).strip(); // the text streamed before the first call
                if (reply.content() != null && reply.content().startsWith(before) && reply.content().length() > before.length()) {
                    events.add(chunk(new Delta(null, reply.content().substring(before.length())), null, null));
                }
                for (int i = sentCalls; i < reply.calls().size(); i++) { // the calls not yet sent: id and name, then the arguments
                    ToolCallOut call = reply.calls().get(i);
                    events.add(chunk(new Delta(null, null, List.of(new ToolCallDelta(i, call.id(), "function",
                            new FunctionDelta(call.function().name(), "")))), null, null));
                    events.add(chunk(new Delta(null, null, List.of(new ToolCallDelta(i, null, null,
                            new FunctionDelta(null, call.function().arguments())))), null, null));
                }
                events.add(chunk(new Delta(null, null), takePending(), Responses.finishReason(c.stopReason(), true)));
                return events;
            }

            @Override
            public Object usage(int promptTokens, int completionTokens) {
                return includeUsage ? new ChatChunk(id, "chat.completion.chunk", now, m.id(), List.of(),
                        Usage.of(promptTokens, completionTokens), null) : null;
            }

            private ChatLogprobs takePending() {
                if (top < 0 || pending.isEmpty()) {
                    return null;
                }
                ChatLogprobs out = new ChatLogprobs(List.copyOf(pending), null);
                pending.clear();
                return out;
            }

            private ChatChunk chunk(Delta delta, ChatLogprobs logprobs, String finish) {
                return new ChatChunk(id, "chat.completion.chunk", now, m.id(), List.of(new ChunkChoice(index, delta, logprobs, finish)), null,
                        null);
            }
        });
    }

    void completions(HttpExchange exchange) throws IOException {
        CompletionRequest req = Json.read(body(exchange), CompletionRequest.class);
        ServedModel m = generating(req.model());
        String text = req.text();
        GenerateOptions options = req.options();
        int top = req.logprobsWanted();
        AdapterSet lora = adapters.forRequest(req.lora());
        Tokenizer tokenizer = m.model().tokenizer();
        int[] prompt = tokenizer.encode(text, true, false);
        if (prompt.length == 0) {
            if (tokenizer.bos() < 0) {
                throw ApiException.badRequest("the prompt is empty and the vocabulary has no BOS token to start from", "prompt");
            }
            prompt = new int[] {tokenizer.bos()};
        }
        String id = "cmpl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        long now = System.currentTimeMillis() / 1000;
        int n = choices(req.n());
        if (!req.streamed()) {
            List<Whole> wholes = generateWhole(prompt, fitted(prompt, options, m, "prompt"), lora, n, "prompt", tokenizer, top);
            List<TextChoice> choices = new ArrayList<>(n);
            int generated = 0;
            for (int i = 0; i < n; i++) {
                Completion c = wholes.get(i).completion();
                choices.add(new TextChoice(c.text(), i, top < 0 ? null : Logprobs.text(wholes.get(i).logprobs(), 0),
                        Responses.finishReason(c.stopReason())));
                generated += c.generatedTokens();
            }
            HttpIo.json(exchange, 200, new TextCompletion(id, "text_completion", now, m.id(), choices, Usage.of(prompt.length, generated), null),
                    watchdog, settings.ioTimeout());
            return;
        }
        boolean includeUsage = req.streamOptions() != null && Boolean.TRUE.equals(req.streamOptions().includeUsage());
        stream(exchange, prompt, fitted(prompt, options, m, "prompt"), lora, n, "prompt", tokenizer, top, index -> new StreamShape() {
            private int offset;

            @Override
            public Object first() {
                return null;
            }

            @Override
            public Object piece(String piece, List<TokenLogprob> logprobs) {
                return new TextCompletion(id, "text_completion", now, m.id(), List.of(new TextChoice(piece, index, logprobs(logprobs), null)),
                        null, null);
            }

            @Override
            public List<Object> last(Completion c, List<TokenLogprob> logprobs) {
                return List.of(new TextCompletion(id, "text_completion", now, m.id(),
                        List.of(new TextChoice("", index, logprobs.isEmpty() ? null : logprobs(logprobs), Responses.finishReason(c.stopReason()))),
                        null, null));
            }

            @Override
            public Object usage(int promptTokens, int completionTokens) {
                return includeUsage ? new TextCompletion(id, "text_completion", now, m.id(), List.of(),
                        Usage.of(promptTokens, completionTokens), null) : null;
            }

            private Responses.TextLogprobs logprobs(List<TokenLogprob> entries) {
                if (top < 0) {
                    return null;
                }
                Responses.TextLogprobs out = Logprobs.text(entries, offset);
                for (TokenLogprob e : entries) {
                    offset += e.token().length();
                }
                return out;
            }
        });
    }

    void embeddings(HttpExchange exchange) throws IOException {
        EmbeddingRequest req = Json.read(body(exchange), EmbeddingRequest.class);
        ServedModel m = embedding(req.model());
        List<String> texts = req.texts();
        boolean base64 = req.base64();
        int context = m.model().model().config().contextLength();
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            int n = m.model().tokenizer().encode(texts.get(i), true, false).length;
            if (n == 0) {
                throw ApiException.badRequest("'input[" + i + "]' has no tokens to embed", "input");
            }
            if (n > context) {
                throw ApiException.badRequest("'input[" + i + "]' has " + n + " tokens, more than the context of " + context, "input");
            }
            tokens += n;
        }
        if (!embedding.tryAcquire()) {
            throw new ApiException(503, "server_error", "the server is busy embedding; retry later", null, "server_busy");
        }
        List<float[]> vectors;
        try {
            vectors = m.model().embed(texts, true);
        } finally {
            embedding.release();
        }
        if (req.dimensions() != null && req.dimensions() != vectors.getFirst().length) {
            throw ApiException.badRequest("'dimensions' must be the model's " + vectors.getFirst().length + " (vectors are not truncated)",
                    "dimensions");
        }
        List<EmbeddingData> data = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            data.add(new EmbeddingData("embedding", base64 ? base64(vectors.get(i)) : vectors.get(i), i));
        }
        HttpIo.json(exchange, 200, new Responses.EmbeddingList("list", data, m.id(), new Responses.EmbeddingUsage(tokens, tokens)),
                watchdog, settings.ioTimeout());
    }

    void models(HttpExchange exchange) throws IOException {
        List<Responses.ModelCard> cards = new ArrayList<>();
        cards.add(card(generator));
        if (embedder != null && !embedder.id().equals(generator.id())) {
            cards.add(card(embedder));
        }
        HttpIo.json(exchange, 200, new Responses.ModelList("list", cards), watchdog, settings.ioTimeout());
    }

    void model(HttpExchange exchange, String id) throws IOException {
        for (ServedModel m : embedder == null ? List.of(generator) : List.of(generator, embedder)) {
            if (m.id().equals(id)) {
                HttpIo.json(exchange, 200, card(m), watchdog, settings.ioTimeout());
                return;
            }
        }
        throw new ApiException(404, "invalid_request_error", "the model '" + id + "' does not exist; this server has " + names(), "model",
                "model_not_found");
    }

    /** {@code GET /lora-adapters}: the adapters and their global scales; {@code POST}: sets those scales, then lists them. */
    void loraAdapters(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("POST")) {
            adapters.setGlobal(Json.read(body(exchange), com.fasterxml.jackson.databind.JsonNode.class));
        }
        HttpIo.json(exchange, 200, adapters.list(), watchdog, settings.ioTimeout());
    }

    void health(HttpExchange exchange) throws IOException {
        int active = scheduler.active();
        HttpIo.json(exchange, 200, new Responses.Health("ok", settings.parallel() - active, active, scheduler.queued()), watchdog,
                settings.ioTimeout());
    }

    void tokenize(HttpExchange exchange) throws IOException {
        TokenizeRequest req = Json.read(body(exchange), TokenizeRequest.class);
        ServedModel m = any(req.model());
        if (req.content() == null) {
            throw ApiException.badRequest("'content' is required: the text to tokenize", "content");
        }
        Tokenizer tokenizer = m.model().tokenizer();
        int[] ids = tokenizer.encode(req.content(), Boolean.TRUE.equals(req.addSpecial()), true);
        List<Object> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(Boolean.TRUE.equals(req.withPieces()) ? new Responses.TokenPiece(id, tokenizer.decode(new int[] {id}, false)) : id);
        }
        HttpIo.json(exchange, 200, new Responses.TokenList(out), watchdog, settings.ioTimeout());
    }

    void detokenize(HttpExchange exchange) throws IOException {
        DetokenizeRequest req = Json.read(body(exchange), DetokenizeRequest.class);
        ServedModel m = any(req.model());
        if (req.tokens() == null) {
            throw ApiException.badRequest("'tokens' is required: an array of token ids", "tokens");
        }
        Tokenizer tokenizer = m.model().tokenizer();
        int[] ids = new int[req.tokens().size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = req.tokens().get(i);
            if (id == null || id < 0 || id >= tokenizer.vocabSize()) {
                throw ApiException.badRequest("'tokens[" + i + "]' = " + id + " is not a token id (the vocabulary has " + tokenizer.vocabSize()
                        + ")", "tokens");
            }
            ids[i] = id;
        }
        HttpIo.json(exchange, 200, new Responses.Content(tokenizer.decode(ids)), watchdog, settings.ioTimeout());
    }

    private byte[] body(HttpExchange exchange) throws IOException {
        return HttpIo.body(exchange, settings.maxBodyBytes(), watchdog, settings.ioTimeout());
    }

    /** The options with at most as many tokens as the context leaves after the prompt; 400 if the prompt does not fit. */
    private static GenerateOptions fitted(int[] prompt, GenerateOptions options, ServedModel m, String param) {
        int context = m.model().model().config().contextLength();
        if (prompt.length > context) {
            throw new ApiException(400, "invalid_request_error", "the prompt has " + prompt.length + " tokens, more than the context of "
                    + context + " tokens (--ctx)", param, "context_length_exceeded");
        }
        return options.maxTokens((int) Math.min(options.maxTokens(), context - prompt.length + 1L));
    }

    /** A whole completion and the log-probabilities of its tokens (empty unless asked for). */
    private record Whole(Completion completion, List<TokenLogprob> logprobs) {
    }

    /**
     * Records each token sampled (end tokens left out, as OpenAI lists only the reply's tokens) with {@code top}
     * alternatives into {@code into}; null (no recording) for {@code top < 0}. Runs on the scheduler's thread.
     */
    private static Generation.SampledTokens recorder(Tokenizer tokenizer, int top, List<TokenLogprob> into) {
        if (top < 0) {
            return null;
        }
        return (token, logits) -> {
            if (!tokenizer.isEog(token)) {
                into.add(Logprobs.of(tokenizer, token, logits, top));
            }
        };
    }

    /**
     * The number of choices asked for ({@code n}): each is a generation of its own, in a slot of its own, so at
     * most {@code --parallel} of them.
     */
    private int choices(Integer n) {
        if (n == null) {
            return 1;
        }
        if (n < 1 || n > settings.parallel()) {
            throw ApiException.badRequest("'n' must be in [1, " + settings.parallel() + "] (each choice takes one of the server's --parallel "
                    + settings.parallel() + " slots), got " + n, "n");
        }
        return n;
    }

    /**
     * The options of choice {@code i} of several: its own sequence, drawn with seed {@code seed + i} (so a request
     * with a seed gets the same choices again).
     */
    private static GenerateOptions choice(GenerateOptions options, int i) {
        return i == 0 ? options : options.seed(options.sampler().seed() + i);
    }

    /**
     * Queues {@code jobs}; if the queue refuses one (503), those already queued are cancelled.
     */
    private void submitAll(List<Job> jobs) {
        for (int i = 0; i < jobs.size(); i++) {
            try {
                scheduler.submit(jobs.get(i));
            } catch (RuntimeException e) {
                for (int j = 0; j < i; j++) {
                    jobs.get(j).cancel();
                }
                throw e;
            }
        }
    }

    /** Generates {@code n} choices through the scheduler and waits for all of them. */
    private List<Whole> generateWhole(int[] prompt, GenerateOptions options, AdapterSet lora, int n, String param, Tokenizer tokenizer,
                                      int top) {
        List<CompletableFuture<Completion>> done = new ArrayList<>(n);
        List<List<TokenLogprob>> logprobs = new ArrayList<>(n);
        List<Job> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CompletableFuture<Completion> future = new CompletableFuture<>();
            List<TokenLogprob> entries = new ArrayList<>();
            done.add(future);
            logprobs.add(entries);
            jobs.add(new Job(prompt, choice(options, i), new Job.Listener() {
                @Override
                public void text(String piece) {
                }

                @Override
                public void finished(Completion completion) {
                    future.complete(completion);
                }

                @Override
                public void failed(RuntimeException error) {
                    future.completeExceptionally(error);
                }
            }, recorder(tokenizer, top, entries), lora));
        }
        submitAll(jobs);
        List<Whole> out = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Completion c = done.get(i).get(); // the future's completion orders the scheduler's writes of the list before this read
                out.add(new Whole(c, List.copyOf(logprobs.get(i))));
            }
            return out;
        } catch (InterruptedException e) {
            jobs.forEach(Job::cancel);
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server_error", "the request was interrupted", null, null);
        } catch (ExecutionException e) {
            jobs.forEach(Job::cancel);
            throw failure(e.getCause(), param);
        }
    }

    /** The events of one choice of a streamed response: null for an event not to send. */
    private interface StreamShape {
        Object first();

        /** A piece of text, with the log-probabilities of the tokens sampled since the last piece (empty unless asked for). */
        Object piece(String piece, List<TokenLogprob> logprobs);

        /** The events that end the choice; {@code logprobs} those of tokens sampled after the last piece. */
        List<Object> last(Completion c, List<TokenLogprob> logprobs);

        /** The usage event, sent once after every choice has ended (null: none), by the first choice's shape. */
        Object usage(int promptTokens, int completionTokens);
    }

    /** A piece of text of choice {@code index} and the log-probabilities of the tokens sampled since its last one. */
    private record Piece(int index, String text, List<TokenLogprob> logprobs) {
    }

    /** The end of choice {@code index} and the log-probabilities of the tokens sampled after its last piece. */
    private record End(int index, Completion completion, List<TokenLogprob> logprobs) {
    }

    /**
     * Generates {@code n} choices through the scheduler, sending each piece as an event as it comes (choices
     * interleaved, told apart by their index); a client gone cancels them all.
     */
    private void stream(HttpExchange exchange, int[] prompt, GenerateOptions options, AdapterSet lora, int n, String param, Tokenizer tokenizer,
                        int top, IntFunction<StreamShape> shapes) throws IOException {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        List<Job> jobs = new ArrayList<>(n);
        List<StreamShape> shape = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            List<TokenLogprob> sampled = new ArrayList<>(); // the scheduler's thread only: handed on with each piece
            shape.add(shapes.apply(i));
            jobs.add(new Job(prompt, choice(options, i), new Job.Listener() {
                @Override
                public void text(String piece) {
                    events.add(new Piece(index, piece, taken()));
                }

                @Override
                public void finished(Completion completion) {
                    events.add(new End(index, completion, taken()));
                }

                @Override
                public void failed(RuntimeException error) {
                    events.add(error);
                }

                private List<TokenLogprob> taken() {
                    if (sampled.isEmpty()) {
                        return List.of();
                    }
                    List<TokenLogprob> out = List.copyOf(sampled);
                    sampled.clear();
                    return out;
                }
            }, recorder(tokenizer, top, sampled), lora));
        }
        submitAll(jobs); // a full queue is a 503 before any header is sent
        try (EventStream sse = new EventStream(exchange, watchdog, settings.ioTimeout())) {
            for (StreamShape s : shape) {
                Object first = s.first();
                if (first != null) {
                    sse.send(first);
                }
            }
            int ended = 0, generated = 0;
            while (true) {
                Object e = events.take();
                if (e instanceof Piece piece) {
                    Object event = shape.get(piece.index()).piece(piece.text(), piece.logprobs());
                    if (event != null) {
                        sse.send(event);
                    }
                } else if (e instanceof End end) {
                    for (Object event : shape.get(end.index()).last(end.completion(), end.logprobs())) {
                        sse.send(event);
                    }
                    generated += end.completion().generatedTokens();
                    if (++ended == n) {
                        Object usage = shape.getFirst().usage(prompt.length, generated);
                        if (usage != null) {
                            sse.send(usage);
                        }
                        sse.done();
                        return;
                    }
                } else {
                    jobs.forEach(Job::cancel);
                    ApiException error = failure((Throwable) e, param);
                    sse.send(HttpIo.error(error));
                    sse.done();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            jobs.forEach(Job::cancel); // the client is gone or stalled: free the slots at once
            throw e;
        } catch (InterruptedException e) {
            jobs.forEach(Job::cancel);
            Thread.currentThread().interrupt();
        }
    }

    private static ApiException failure(Throwable cause, String param) {
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof IllegalArgumentException bad) {
            return ApiException.badRequest(bad.getMessage(), param);
        }
        return new ApiException(500, "server_error", "the generation failed: " + cause, null, null);
    }

    private ServedModel generating(String name) {
        if (name == null || name.equals(generator.id())) {
            return generator;
        }
        throw unknown(name, "generates text");
    }

    private ServedModel embedding(String name) {
        ServedModel m = embedder != null ? embedder : generator;
        if (name == null || name.equals(m.id())) {
            return m;
        }
        throw unknown(name, "embeds");
    }

    private ServedModel any(String name) {
        if (name == null || name.equals(generator.id())) {
            return generator;
        }
        if (embedder != null && name.equals(embedder.id())) {
            return embedder;
        }
        throw unknown(name, "is served");
    }

    private ApiException unknown(String name, String what) {
        return new ApiException(400, "invalid_request_error", "the model '" + name + "' is not served here; the model that " + what
                + " is '" + (what.equals("embeds") && embedder != null ? embedder.id() : generator.id()) + "' (GET /v1/models lists "
                + names() + ")", "model", "model_not_found");
    }

    private String names() {
        return embedder == null || embedder.id().equals(generator.id()) ? "'" + generator.id() + "'"
                : "'" + generator.id() + "' and '" + embedder.id() + "'";
    }

    private Responses.ModelCard card(ServedModel m) {
        return new Responses.ModelCard(m.id(), "model", created, "panamax");
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
