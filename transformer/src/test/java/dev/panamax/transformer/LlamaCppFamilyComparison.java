package dev.panamax.transformer;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not a test: the tool behind the phi3 / olmo2 / granite / starcoder2 rows of docs/models.md
 * "Against llama.cpp". Writes tiny random models of each family (seeded, with a SentencePiece
 * vocabulary) to a directory, quantizes them, runs llama.cpp's reference program
 * ({@code /work/tools/llama-ref/run.sh}, outside the repository) with F32 and F16 KV caches and
 * Panamax (cpu backend, F32 cache) on the same files, and prints one table row per file.
 *
 * <pre>
 *   java -cp ... dev.panamax.transformer.LlamaCppFamilyComparison /tmp/families [/work/tools/llama-ref/run.sh]
 * </pre>
 */
public final class LlamaCppFamilyComparison {
    private static final int[] PROMPT = {5, 17, 300, 42, 99, 7};
    private static final int GREEDY = 8;

    private LlamaCppFamilyComparison() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/families"));
        String ref = args.length > 1 ? args[1] : "/work/tools/llama-ref/run.sh";
        Random r = new Random(20261201);
        int dim = 256, ffn = 512, layers = 2, heads = 4, kv = 2, vocab = 512, context = 256;
        // LongRoPE trained at 256 positions, extended to 1024: llama.cpp pads its context to a multiple of 256, so
        // 256 is the shortest one that selects the short factors, and 512 selects the long ones
        TinyFamilies.LongRope full = TinyFamilies.longRope(r, 64, 256), partial = TinyFamilies.longRope(r, 48, 256);
        String only = args.length > 2 ? args[2] : "";
        record Case(String name, TinyFamilyModel model, String what, int ctx) {}
        List<Case> cases = new ArrayList<>();
        TinyFamilyModel phi = TinyFamilies.phi3(r, dim, ffn, layers, heads, kv, vocab, 1024, false, 64, 0, full);
        cases.add(new Case("phi3", phi, "phi3 (dim 256, 4/2 heads of 64, ffn 512, vocab 512, 2 layers, own output; LongRoPE "
                + "256 -> 1024, context 512: long factors)", 512));
        cases.add(new Case("phi3", phi, "same file, context 256 (the original: short factors)", 256));
        cases.add(new Case("phi3-mini4", TinyFamilies.phi3(r, dim, ffn, layers, heads, kv, vocab, 1024, true, 48, 0, partial),
                "phi3 Phi-4-mini-like: tied, 3/4 rotary (48 of 64), LongRoPE, context 512 (long)", 512));
        cases.add(new Case("olmo2", TinyFamilies.olmo2(r, dim, ffn, layers, heads, kv, vocab, context, false),
                "olmo2 (same shape, own output)", 256));
        cases.add(new Case("granite", TinyFamilies.granite(r, dim, ffn, layers, heads, kv, vocab, context, false, false,
                new TinyFamilies.GraniteScales(12, 0.22, 0.05, 8)), "granite (scales 12, 0.22, 0.05, 8; own output)", 256));
        cases.add(new Case("starcoder2", TinyFamilies.starcoder2(r, dim, ffn, layers, heads, kv, vocab, context, true, true, 0),
                "starcoder2 (LayerNorm + biases everywhere, GELU MLP, tied)", 256));
        System.out.println("| model | max|logit| | llama.cpp F32 vs F16 KV | Panamax vs llama.cpp | greedy (8) |");
        for (Case c : cases) {
            if (!c.name().startsWith(only)) {
                continue;
            }
            Path f32 = dir.resolve(c.name() + "-f32.gguf");
            if (!Files.exists(f32)) {
                c.model().writeGguf(f32, true);
                c.model().writeHf(dir.resolve(c.name() + "-hf"));
                ModelQuantizer.quantize(f32, dir.resolve(c.name() + "-q8_0.gguf"), QuantType.Q8_0, false);
                ModelQuantizer.quantize(f32, dir.resolve(c.name() + "-q4_k_m.gguf"), QuantType.Q4_K_M, false);
            }
            for (String kind : new String[] {"f32", "hf", "q8_0", "q4_k_m"}) {
                Path gguf = dir.resolve(c.name() + "-" + (kind.equals("hf") ? "f32" : kind) + ".gguf");
                Path panamaxFile = kind.equals("hf") ? dir.resolve(c.name() + "-hf") : gguf;
                Run a = llamaCpp(ref, gguf, "f32", c.ctx()), b = llamaCpp(ref, gguf, "f16", c.ctx());
                Run p = panamax(panamaxFile, c.ctx());
                System.out.println(String.format(Locale.ROOT, "| %s %s | %.3g | %.2g | %.2g | %s |", kind.toUpperCase(Locale.ROOT),
                        c.what(), maxAbs(a.logits), maxDiff(a.logits, b.logits), maxDiff(a.logits, p.logits), greedy(a, p)));
            }
        }
    }

    /** Logits after the prompt, greedy ids and margins. */
    record Run(float[] logits, int[] ids, float[] margins) {}

    private static Run llamaCpp(String ref, Path gguf, String kv, int ctx) throws IOException, InterruptedException {
        StringBuilder tokens = new StringBuilder();
        for (int t : PROMPT) {
            tokens.append(tokens.isEmpty() ? "" : ",").append(t);
        }
        Process p = new ProcessBuilder(ref, gguf.toString(), "--tokens", tokens.toString(), "--kv", kv, "--n", "" + GREEDY,
                "--ctx", "" + ctx).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("llama-ref failed on " + gguf + ": " + err);
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

    private static Run panamax(Path file, int ctx) {
        try (Ops ops = Backends.open("cpu", 2); Model model = Model.open(file, ops, new LoadOptions(8, DType.F32, ctx))) {
            float[] logits = model.transformer().forward(PROMPT, 0);
            float[] first = logits.clone();
            int[] ids = new int[GREEDY];
            float[] margins = new float[GREEDY];
            for (int i = 0; i < GREEDY; i++) {
                int best = 0;
                for (int v = 1; v < logits.length; v++) {
                    if (logits[v] > logits[best]) {
                        best = v;
                    }
                }
                ids[i] = best;
                logits = model.transformer().forward(new int[] {best}, PROMPT.length + i);
            }
            return new Run(first, ids, margins);
        }
    }

    private static String greedy(Run a, Run p) {
        int same = 0;
        StringBuilder notes = new StringBuilder();
        for (int i = 0; i < GREEDY; i++) {
            if (a.ids[i] == p.ids[i]) {
                same++;
            } else {
                notes.append(String.format(Locale.ROOT, "; #%d at llama.cpp margin %.2g", i + 1, a.margins[i]));
                break;
            }
        }
        return same == GREEDY ? "identical" : same + " of 8 identical" + notes;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
