package dev.panamax.transformer.cli;

import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.chat.ChatFormat;
import dev.panamax.transformer.chat.ChatSession;
import dev.panamax.transformer.chat.ModelChatTemplate;
import dev.panamax.transformer.chat.jinja.JinjaException;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Sampler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code panamax chat MODEL}: a conversation on the terminal. Each line read from standard input is a
 * user message; the reply streams to standard output. {@code /exit} or the end of input ends it. The
 * prompt is the model's own Jinja chat template, rendered as Hugging Face renders it. The KV cache is
 * kept across turns, so each turn computes only the new part of the conversation.
 */
@Command(name = "chat", description = "Chat with a model, in the format of its own chat template.")
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--system", description = "A system message to start the conversation with.")
    String system;

    @Option(names = {"-p", "--prompt"}, description = "Send this one message, print the reply and exit (no interactive input).")
    String prompt;

    @Option(names = "--template", paramLabel = "NAME", description = "Chat format to use instead of the model's template: a built-in format (chatml, llama2, llama2-sys, llama3, mistral-v7, phi3, zephyr, gemma, ...), a Jinja template's text, or a template file.")
    String template;

    @Mixin
    GenerationOptions options;

    /** Where user lines come from; standard input unless a test sets it. */
    BufferedReader input;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long seed = options.resolveSeed();
        try (Ops ops = options.openBackend(); Model m = options.openModel(options.model, ops, err)) {
            ChatFormat t = ModelChatTemplate.chatFormat(m, template, notice -> {
                err.println(notice);
                err.flush();
            });
            ChatSession chat = new ChatSession(m.transformer(), m.tokenizer(), t,
                    new Sampler(options.samplerSettings(seed), m.config().vocabSize()), system);
            if (prompt != null) {
                turn(chat, m, prompt, out, err);
                return 0;
            }
            err.printf("chat with %s (template %s, seed %d); /exit or end of input to quit%n", options.model.getFileName(), t.label(), seed);
            err.flush();
            BufferedReader in = input != null ? input : stdin();
            for (String line = readLine(in, out); line != null && !line.strip().equals("/exit"); line = readLine(in, out)) {
                if (!line.isBlank()) {
                    try {
                        turn(chat, m, line, out, err);
                    } catch (JinjaException e) { // the conversation is as it was: the user may go on
                        err.println("the chat template cannot render this conversation: " + e.getMessage());
                        err.flush();
                    }
                }
            }
        }
        return 0;
    }

    private void turn(ChatSession chat, Model m, String message, PrintWriter out, PrintWriter err) {
        ChatSession.Reply r = chat.send(message, options.tokens, text -> {
            out.print(text);
            out.flush();
        });
        out.println();
        out.flush();
        err.printf("[%d tokens reused from the cache] %s; stopped: %s%n", r.reusedTokens(), r.generation().summary(),
                r.generation().stopReason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        if (r.generation().stopReason() == GenerationResult.StopReason.CONTEXT_FULL) {
            err.println("panamax chat: the reply stopped after " + r.generation().tokens().length + " tokens: the context of "
                    + m.config().contextLength() + " positions is full (a larger -c gives more room)");
        }
        err.flush();
    }

    private static String readLine(BufferedReader in, PrintWriter out) {
        out.print("> ");
        out.flush();
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("reading standard input", e);
        }
    }

    private static BufferedReader stdin() {
        String encoding = System.getProperty("stdin.encoding", Charset.defaultCharset().name());
        return new BufferedReader(new InputStreamReader(System.in, Charset.forName(encoding)));
    }
}
