package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.ChatModels;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@ExtendWith(Seeded.class)
class ChatCommandTest {
    /** The statistics line of a turn: group 1 the tokens reused from the cache, group 2 those prefilled. */
    private static final Pattern TURN = Pattern.compile("\\[(\\d+) tokens reused from the cache\\] prefill: (\\d+) tokens");

    @TempDir
    Path dir;

    @Test
    void aSinglePromptPrintsTheReplyAndItsStatistics(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run r = run(null, "--model", model.toString(), "-p", "hello", "--system", "Be brief.", "--temp", "0", "-n", "5", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.strip().matches("[A-Za-z ]+"), "the fixture only ever picks letter pieces: '" + r.out + "'");
        assertTrue(r.err.contains("decode: 4 tokens") && r.err.contains("stopped: max tokens"), "5 tokens, the first from the prefill: " + r.err);
        Matcher m = TURN.matcher(r.err);
        assertTrue(m.find(), r.err);
        assertEquals(0, Integer.parseInt(m.group(1)));
        assertTrue(!r.err.contains("Loading"), "no progress bar when stderr is not a terminal: " + r.err);
    }

    @Test
    void anInteractiveConversationReusesTheCacheUntilExit(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run r = run("hello\n\nmore\n/exit\nnever read\n", "--model", model.toString(), "--temp", "0", "-n", "4", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        Matcher m = TURN.matcher(r.err);
        assertTrue(m.find(), r.err);
        int firstPrefill = Integer.parseInt(m.group(2));
        assertTrue(m.find(), "a second turn: " + r.err);
        int secondPrefill = Integer.parseInt(m.group(2));
        int secondReused = Integer.parseInt(m.group(1));
        assertTrue(secondReused >= firstPrefill, r.err);
        assertTrue(secondPrefill > 0, "the new suffix is computed: " + r.err);
        assertTrue(!m.find(), "the blank line is skipped and /exit ends the chat: " + r.err);
        // a prompt before each line read (hello, the blank line, more, /exit), a reply line after each message
        assertEquals(4, r.out.split("> ", -1).length - 1, r.out);
        assertEquals(2, r.out.lines().filter(l -> l.matches("(> )+[A-Za-z ]+")).count(), r.out);
    }

    @Test
    void endOfInputEndsTheChat(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run r = run("hi", "--model", model.toString(), "--temp", "0", "-n", "2", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(TURN.matcher(r.err).find(), r.err);
    }

    @Test
    void aModelWithoutATemplateFallsBackToChatmlAndSaysSoOnce(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("plain.gguf"), random, null);
        Run r = run("hello\nagain\n", "--model", model.toString(), "-n", "2", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertEquals(1, r.err.split("plain.gguf has no chat template", -1).length - 1, r.err);
        assertTrue(r.err.contains("using the built-in chatml format") && r.err.contains("--template NAME"), r.err);
        assertTrue(r.err.contains("(template chatml,"), r.err);

        Run forced = run(null, "--model", model.toString(), "-p", "hello", "--template", "llama2-sys", "--system", "s", "--temp", "0", "-n", "2", "-b", "reference");
        assertEquals(0, forced.code, forced.err);
        assertTrue(forced.err.contains("decode: 1 tokens") && !forced.err.contains("no chat template"), forced.err);
    }

    /** Issue 20 and 16: a reply cut short because the context is full says so, as generate does. */
    @Test
    void aReplyThatFillsTheContextIsReportedOnStderr(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run first = run(null, "--model", model.toString(), "-p", "hello", "--temp", "0", "-n", "2", "-b", "reference", "-t", "1");
        Matcher m = TURN.matcher(first.err);
        assertTrue(m.find(), first.err);
        assertTrue(!first.err.contains("is full"), first.err);
        int context = Integer.parseInt(m.group(2)) + 3; // room for the prompt and three more positions
        Run r = run(null, "--model", model.toString(), "-p", "hello", "--temp", "0", "-n", "50", "-c", Integer.toString(context),
                "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("stopped: context full"), r.err);
        assertTrue(r.err.contains("the context of " + context + " positions is full (a larger -c gives more room)"), r.err);
    }

    @Test
    void theModelsOwnTemplateIsRendered(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run r = run("hi\n", "--model", model.toString(), "-n", "2", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("(template the model's template,"), r.err);
    }

    /** A template that refuses a conversation: one message fails with the template's line and message, the chat goes on. */
    @Test
    void aTemplateErrorNamesTheLineAndTheChatGoesOn(Random random) throws Exception {
        String refusing = "{% for m in messages %}\n{% if m.content == 'bad' %}{{ raise_exception('no bad words') }}{% endif %}"
                + "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n";
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, refusing);
        Run r = run("bad\ngood\n", "--model", model.toString(), "-n", "2", "-b", "reference", "-t", "1");
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("line 2: raise_exception('no bad words'): no bad words"), r.err);
        assertEquals(1, TURN.matcher(r.err).results().count(), "the good message gets its reply: " + r.err);

        Run once = run(null, "--model", model.toString(), "-p", "bad", "-n", "2", "-b", "reference");
        assertEquals(1, once.code);
        assertTrue(once.err.contains("line 2") && once.err.contains("no bad words"), once.err);
    }

    @Test
    void aJinjaTemplateCanBeGivenOnTheCommandLine(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("plain.gguf"), random, null);
        Run r = run(null, "--model", model.toString(), "-p", "hello", "--template", "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}",
                "--temp", "0", "-n", "2", "-b", "reference");
        assertEquals(0, r.code, r.err);
        assertTrue(!r.err.contains("no chat template"), r.err);
        Run broken = run(null, "--model", model.toString(), "-p", "hello", "--template", "{% if %}", "-b", "reference");
        assertEquals(1, broken.code);
        assertTrue(broken.err.contains("cannot be parsed: line 1"), broken.err);
    }

    @Test
    void anUnknownTemplateNameListsTheSupportedOnes(Random random) throws Exception {
        Path model = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        Run r = run(null, "--model", model.toString(), "-p", "hello", "--template", "llama9", "-b", "reference");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("--template llama9 is not a built-in format") && r.err.contains("llama3"), r.err);
    }

    /** A real 32000-token Llama 2 vocabulary (random weights): the Llama 2 format with its system block, end to end. */
    @Test
    void aRealLlama2VocabularyChatsWithTheLlama2Template() {
        Path model = dev.panamax.tensor.testing.Models.require("llama-2-tiny-random.gguf");
        Run r = run("What is a llama?\nAnd an alpaca?\n", "--model", model.toString(), "--template", "llama2-sys", "--system", "Answer briefly.",
                "--temp", "0", "-n", "3", "-b", "reference", "-t", "1", "-c", "256");
        assertEquals(0, r.code, r.err);
        Matcher m = TURN.matcher(r.err);
        assertTrue(m.find() && m.find(), r.err);
        assertTrue(Integer.parseInt(m.group(1)) > 10, "the second turn reuses the first: " + r.err);
        assertTrue(r.err.contains("template llama2-sys"), r.err);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String stdin, String... args) {
        ChatCommand command = new ChatCommand();
        if (stdin != null) {
            command.input = new BufferedReader(new StringReader(stdin));
        }
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
