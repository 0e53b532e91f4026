package dev.panamax.transformer;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sliding-window files of {@link SlidingWindowLlamaCppTest}: tiny Gemma 2, Gemma 3 and gpt-oss
 * models (our writers, fixed seeds, vocabularies llama.cpp loads) whose window is much smaller than the
 * prompt, as F32, Q8_0 and Q4_K_M (our quantizer, whose bytes are llama-quantize's). {@code main(DIR
 * [RUN_SH])} writes them and prints, for each, llama.cpp's numbers ({@code llama-ref --kv f32} and
 * {@code --kv f16}, flash attention off) as the test's resource file {@code sliding-window/NAME.llama-ref.txt}
 * and a docs/models.md table row beside Panamax's.
 */
final class SlidingWindowLlamaCpp {
    static final int GREEDY = 8;

    /** One file: its name, the window, the prompt (3-4 windows long) and the context to allocate. */
    record Case(String name, Path file, int window, int[] prompt, int context) {}

    private SlidingWindowLlamaCpp() {
    }

    /** Writes every case's file into {@code dir} (existing files are kept: the writers are deterministic). */
    static List<Case> cases(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Case> cases = new ArrayList<>();
        Random r = new Random(20261202);
        // Gemma 2: layers 0 and 2 slide (window 8), soft-caps 2 and 3; rows of 256 so that Q4_K applies
        TinyGemma gemma2 = new TinyGemma(TinyGemma.Kind.GEMMA2, 256, 512, 3, 4, 2, 64, 512, 128, true);
        gemma2.window = 8;
        gemma2.attentionSoftCap = 2;
        gemma2.finalSoftCap = 3;
        gemma2.fill(r);
        add(cases, dir, "gemma2-w8", gemma2, 8, prompt(r, 28, 512), 128);
        // Gemma 3: 7 layers, five of six slide (window 8, local base 10000), global base 1e6 with linear scaling 8
        TinyGemma gemma3 = new TinyGemma(TinyGemma.Kind.GEMMA3, 256, 512, 7, 4, 2, 64, 512, 128, false);
        gemma3.window = 8;
        gemma3.theta = 1e6;
        gemma3.ropeLinearFactor = 8;
        gemma3.fill(r);
        add(cases, dir, "gemma3-w8", gemma3, 8, prompt(r, 28, 512), 128);
        // the same shape with a window of 32 over a 100-token prompt
        TinyGemma gemma3Wide = new TinyGemma(TinyGemma.Kind.GEMMA3, 256, 512, 7, 4, 2, 64, 512, 128, false);
        gemma3Wide.window = 32;
        gemma3Wide.theta = 1e6;
        gemma3Wide.fill(r);
        add(cases, dir, "gemma3-w32", gemma3Wide, 32, prompt(r, 100, 512), 128);
        // gpt-oss: even layers slide, window 8 instead of the fixture's 3; F32 experts so that Q8_0 / Q4_K_M quantize them
        TinyGptOss oss = new TinyGptOss(new Random(14));
        Path f32 = dir.resolve("gpt-oss-w8-f32.gguf");
        if (!Files.exists(f32)) {
            oss.writeGguf(f32, true, w -> vocabulary(w.putUInt32("gpt-oss.attention.sliding_window", 8), oss.vocab));
        }
        quantized(cases, dir, "gpt-oss-w8", f32, 8, prompt(r, 28, oss.vocab), 64);
        return cases;
    }

    private static void add(List<Case> cases, Path dir, String name, TinyGemma m, int window, int[] prompt, int context)
            throws IOException {
        Path f32 = dir.resolve(name + "-f32.gguf");
        if (!Files.exists(f32)) {
            m.writeGguf(f32, true);
        }
        quantized(cases, dir, name, f32, window, prompt, context);
    }

    private static void quantized(List<Case> cases, Path dir, String name, Path f32, int window, int[] prompt, int context)
            throws IOException {
        cases.add(new Case(name + "-f32", f32, window, prompt, context));
        for (QuantType t : List.of(QuantType.Q8_0, QuantType.Q4_K_M)) {
            String n = name + "-" + t.name().toLowerCase(Locale.ROOT);
            Path q = dir.resolve(n + ".gguf");
            if (!Files.exists(q)) {
                ModelQuantizer.quantize(f32, q, t, false);
            }
            cases.add(new Case(n, q, window, prompt, context));
        }
    }

    /** {@code n} token ids in [4, vocab) (past the special tokens), seeded. */
    private static int[] prompt(Random r, int n, int vocab) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = 4 + r.nextInt(vocab - 4);
        }
        return p;
    }

    /** The 100-token SentencePiece vocabulary of {@link GptOssLlamaCppTest}. */
    private static void vocabulary(dev.panamax.formats.gguf.GgufWriter w, int vocab) {
        List<String> t = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<0x0A>"));
        while (t.size() < vocab) {
            t.add("t" + t.size());
        }
        int[] types = new int[vocab];
        Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        types[3] = 6;
        w.putString("tokenizer.ggml.model", "llama").putStringArray("tokenizer.ggml.tokens", t)
                .putFloat32Array("tokenizer.ggml.scores", new float[vocab]).putInt32Array("tokenizer.ggml.token_type", types);
    }

    /** llama.cpp's logits after the prompt, greedy ids and top-2 margins. */
    record Run(float[] logits, int[] ids, float[] margins) {}

    static Run llamaCpp(String ref, Case c, String kv) throws IOException, InterruptedException {
        StringBuilder tokens = new StringBuilder();
        for (int t : c.prompt()) {
            tokens.append(tokens.isEmpty() ? "" : ",").append(t);
        }
        ProcessBuilder pb = new ProcessBuilder(ref, c.file().toString(), "--tokens", tokens.toString(), "--kv", kv, "--n", "" + GREEDY,
                "--ctx", "" + c.context(), "--threads", "1");
        pb.environment().put("LLAMA_REF_QUIET", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("llama-ref failed on " + c.file() + ": " + err);
        }
        Matcher l = Pattern.compile("\"logits\":\\[([^\\]]*)\\]").matcher(out);
        if (!l.find()) {
            throw new IOException("no logits from llama-ref: " + out + err);
        }
        String[] parts = l.group(1).split(",");
        float[] logits = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            logits[i] = Float.parseFloat(parts[i]);
        }
        Matcher g = Pattern.compile("\\{\"id\":(\\d+),\"margin\":([^}]*)\\}").matcher(out);
        int[] ids = new int[GREEDY];
        float[] margins = new float[GREEDY];
        for (int i = 0; i < GREEDY && g.find(); i++) {
            ids[i] = Integer.parseInt(g.group(1));
            margins[i] = Float.parseFloat(g.group(2));
        }
        return new Run(logits, ids, margins);
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/swa");
        String ref = args.length > 1 ? args[1] : "/work/tools/llama-ref/run.sh";
        Path resources = Files.createDirectories(dir.resolve("resources"));
        System.out.println("| file | W, prompt | max|logit| | llama.cpp F32 vs F16 KV | Panamax vs llama.cpp | greedy (8) |");
        for (Case c : cases(dir)) {
            Run a = llamaCpp(ref, c, "f32"), b = llamaCpp(ref, c, "f16");
            double kvChange = maxDiff(a.logits(), b.logits());
            StringBuilder s = new StringBuilder();
            for (float v : a.logits()) {
                s.append(s.isEmpty() ? "" : " ").append(v);
            }
            s.append('\n');
            for (int i = 0; i < GREEDY; i++) {
                s.append(i == 0 ? "" : " ").append(a.ids()[i]);
            }
            s.append('\n');
            for (int i = 0; i < GREEDY; i++) {
                s.append(i == 0 ? "" : " ").append(a.margins()[i]);
            }
            s.append('\n').append(kvChange).append('\n');
            Files.writeString(resources.resolve(c.name() + ".llama-ref.txt"), s);
            SlidingWindowLlamaCppTest.Ours p = SlidingWindowLlamaCppTest.panamax(c);
            int same = 0;
            while (same < GREEDY && a.ids()[same] == p.ids()[same]) {
                same++;
            }
            double scale = 0;
            for (float v : a.logits()) {
                scale = Math.max(scale, Math.abs(v));
            }
            System.out.println(String.format(Locale.ROOT, "| %s | %d, %d | %.3g | %.2g | %.2g | %s |", c.name(), c.window(),
                    c.prompt().length, scale, kvChange, maxDiff(a.logits(), p.logits()),
                    same == GREEDY ? "identical" : same + " identical, then llama.cpp margin " + a.margins()[same]));
        }
    }
}
