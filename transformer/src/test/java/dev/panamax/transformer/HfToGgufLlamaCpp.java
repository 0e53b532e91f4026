package dev.panamax.transformer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test: the tool behind docs/models.md's rows "HF checkpoint -> GGUF, llama.cpp". For every
 * checkpoint of {@link HfToGgufFixture#FAMILY_KINDS}, converts it with {@link HfToGguf}, runs llama.cpp's
 * reference program on the GGUF file (F32 and F16 KV caches, flash attention off) and Panamax on the
 * Hugging Face checkpoint, and prints one table row each; Phi-3's and StarCoder 2's windows are taken out of their
 * config.json first (llama.cpp v0.5.0 ignores both).
 *
 * <pre>
 *   java -cp ... dev.panamax.transformer.HfToGgufLlamaCpp /tmp/hfconv [/work/tools/llama-ref/run.sh]
 * </pre>
 */
final class HfToGgufLlamaCpp {
    private static final int[] PROMPT = {5, 17, 42, 99, 7, 23, 61, 3, 88, 14, 50, 29};

    private HfToGgufLlamaCpp() {
    }

    public static void main(String[] args) throws Exception {
        String only = args.length > 2 ? args[2] : "";
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/hfconv"));
        String ref = args.length > 1 ? args[1] : "/work/tools/llama-ref/run.sh";
        System.out.println("| checkpoint | max|logit| | llama.cpp F32 vs F16 KV | Panamax (HF) vs llama.cpp (GGUF) | greedy (8) |");
        for (String kind : HfToGgufFixture.FAMILY_KINDS) {
            if (!kind.startsWith(only)) {
                continue;
            }
            // general.name is the directory's: one naming phi3 makes llama.cpp look up Phi-3's special tokens
            Path hf = HfToGgufFixture.checkpoint(kind, dir.resolve(kind.replace("phi", "p") + "-hf"));
            if (kind.equals("phi3") || kind.equals("starcoder2")) {
                // llama.cpp v0.5.0 applies no sliding window to these two: compare both without it
                Path config = hf.resolve("config.json");
                Files.writeString(config, Files.readString(config).replace("\"sliding_window\": 5", "\"sliding_window\": 0"));
            }
            Path gguf = dir.resolve(kind + ".gguf");
            HfToGguf.convert(hf, gguf);
            int context = 32;
            var onGguf = new SlidingWindowLlamaCpp.Case(kind, gguf, 0, PROMPT, context);
            SlidingWindowLlamaCpp.Run a = SlidingWindowLlamaCpp.llamaCpp(ref, onGguf, "f32");
            SlidingWindowLlamaCpp.Run b = SlidingWindowLlamaCpp.llamaCpp(ref, onGguf, "f16");
            SlidingWindowLlamaCppTest.Ours p = SlidingWindowLlamaCppTest.panamax(new SlidingWindowLlamaCpp.Case(kind, hf, 0, PROMPT, context));
            int same = 0;
            while (same < SlidingWindowLlamaCpp.GREEDY && a.ids()[same] == p.ids()[same]) {
                same++;
            }
            double scale = 0;
            for (float v : a.logits()) {
                scale = Math.max(scale, Math.abs(v));
            }
            System.out.println(String.format(Locale.ROOT, "| %s | %.3g | %.2g | %.2g | %s |", kind, scale,
                    SlidingWindowLlamaCpp.maxDiff(a.logits(), b.logits()), SlidingWindowLlamaCpp.maxDiff(a.logits(), p.logits()),
                    same == SlidingWindowLlamaCpp.GREEDY ? "identical"
                            : same + " identical, then llama.cpp margin " + a.margins()[same]));
        }
    }
}
