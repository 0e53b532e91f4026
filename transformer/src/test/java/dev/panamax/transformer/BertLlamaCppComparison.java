package dev.panamax.transformer;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.tensor.DType;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
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
 * Not a test: the tool behind the bert rows of docs/models.md "Against llama.cpp". Writes tiny random
 * BERTs ({@link TinyBert}, seeded) with mean and CLS pooling, as GGUF (F32, Q8_0) and as HF checkpoints
 * (erf GELU, and the tanh GELU llama.cpp computes), embeds texts with llama.cpp's reference program
 * ({@code --embed}: its pooled, unnormalized embedding) and with Panamax (cpu), and prints the token ids
 * of both tokenizers and the largest difference.
 *
 * <pre>
 *   java -cp ... dev.panamax.transformer.BertLlamaCppComparison /tmp/bert [/work/tools/llama-ref/run.sh]
 * </pre>
 */
public final class BertLlamaCppComparison {
    private static final List<String> TEXTS = List.of("The cats sat on a mat.", "a dog, sitting!", "Mats", "the at sing");

    private BertLlamaCppComparison() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/bert"));
        String ref = args.length > 1 ? args[1] : "/work/tools/llama-ref/run.sh";
        System.out.println("| model | text | ids equal | max\\|e\\| | Panamax vs llama.cpp |");
        for (int pooling : new int[] {1, 2}) {
            Random r = new Random(20261202 + pooling);
            TinyFamilyModel m = TinyBert.model(r, 256, 512, 2, 4, 64, pooling);
            String name = pooling == 1 ? "mean" : "cls";
            Path f32 = m.writeGguf(dir.resolve("bert-" + name + "-f32.gguf"));
            Path q8 = dir.resolve("bert-" + name + "-q8_0.gguf");
            ModelQuantizer.quantize(f32, q8, QuantType.Q8_0, false);
            Path hf = TinyBert.writeHf(m, dir.resolve("bert-" + name + "-hf"), name);
            m.config.replaceAll(f -> f.startsWith("\"hidden_act\"") ? "\"hidden_act\": \"gelu_pytorch_tanh\"" : f);
            Path hfTanh = TinyBert.writeHf(m, dir.resolve("bert-" + name + "-hf-tanh"), name);
            record Case(String what, Path gguf, Path panamax) {}
            for (Case c : List.of(new Case("F32 GGUF (erf GELU)", f32, f32), new Case("HF, tanh GELU (llama.cpp's)", f32, hfTanh),
                    new Case("HF, erf GELU", f32, hf), new Case("Q8_0", q8, q8))) {
                try (LanguageModel model = LanguageModel.open(c.panamax(), ModelOptions.defaults().threads(2)
                        .load(LoadOptions.defaults().withCacheType(DType.F32)))) {
                    for (String text : TEXTS) {
                        int[] ids = model.tokenizer().encode(text, true, false);
                        String ours = Arrays.toString(ids).replace(" ", "");
                        String byPrompt = run(ref, c.gguf(), "--prompt", text, "--bos");
                        String byTokens = run(ref, c.gguf(), "--tokens", ours.substring(1, ours.length() - 1));
                        boolean sameIds = ("[" + prompt(byPrompt) + "]").equals(ours);
                        double[] e = embedding(byTokens);
                        float[] p = model.embed(List.of(text)).getFirst();
                        double max = 0, diff = 0;
                        for (int i = 0; i < e.length; i++) {
                            max = Math.max(max, Math.abs(e[i]));
                            diff = Math.max(diff, Math.abs(e[i] - p[i]));
                        }
                        System.out.println(String.format(Locale.ROOT, "| bert %s pooling, %s | %s | %s | %.3g | %.2g |", name, c.what(),
                                text, sameIds ? "yes" : "no: " + prompt(byPrompt) + " vs " + ours, max, diff));
                    }
                }
            }
        }
    }

    private static String run(String ref, Path gguf, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ref, gguf.toString()));
        cmd.addAll(List.of(args));
        cmd.add("--embed");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    private static String prompt(String out) {
        Matcher m = Pattern.compile("\"prompt\":\\[([^]]*)]").matcher(out);
        return m.find() ? m.group(1) : "?";
    }

    private static double[] embedding(String out) {
        Matcher m = Pattern.compile("\"embedding\":\\[([^]]*)]").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no embedding in " + out);
        }
        return Arrays.stream(m.group(1).split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
