package dev.panamax.transformer;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a check: the tool behind docs/models.md's llama.cpp rows for Gemma. With
 * {@code -Dpanamax.gemma.llamacpp=DIR}, {@link #write} puts tiny Gemma 1/2/3 models (sizes llama.cpp's
 * quantizers take, a vocabulary llama.cpp loads) into DIR as GGUF and as Hugging Face checkpoints;
 * after {@code ./panamax quantize} has added quantized files, {@link #run} writes, for every model
 * there, Panamax's logits after the prompt {@link #PROMPT} and 8 greedy tokens with their top-2
 * margins ({@code NAME.panamax.json}), to set beside {@code llama-ref --tokens 5,17,300,42,99,7}.
 */
@EnabledIfSystemProperty(named = "panamax.gemma.llamacpp", matches = ".+")
class GemmaLlamaCppFiles {
    static final int[] PROMPT = {5, 17, 300, 42, 99, 7};
    private final Path dir = Path.of(System.getProperty("panamax.gemma.llamacpp", "."));

    @Test
    void write() throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(20261201);
        TinyGemma gemma = new TinyGemma(TinyGemma.Kind.GEMMA, 256, 512, 2, 4, 1, 128, 512, 64, true).fill(r);
        TinyGemma gemma2 = new TinyGemma(TinyGemma.Kind.GEMMA2, 256, 512, 3, 4, 2, 128, 512, 64, true);
        gemma2.window = 4;
        gemma2.attentionSoftCap = 2;
        gemma2.finalSoftCap = 3;
        gemma2.fill(r);
        TinyGemma gemma3 = new TinyGemma(TinyGemma.Kind.GEMMA3, 256, 512, 7, 4, 2, 128, 512, 64, false);
        gemma3.window = 4;
        gemma3.theta = 1e6;
        gemma3.ropeLinearFactor = 8;
        gemma3.fill(r);
        for (TinyGemma m : List.of(gemma, gemma2, gemma3)) {
            m.writeGguf(dir.resolve(m.architecture() + "-f32.gguf"), true);
            m.writeHf(dir.resolve(m.architecture() + "-hf"));
        }
        gemma3.writeHf(dir.resolve("gemma3-hf-conditional"), true, "");
    }

    @Test
    void run() throws IOException {
        List<Path> models = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.toString().endsWith(".gguf") || Files.isDirectory(f)).sorted().forEach(models::add);
        }
        for (Path file : models) {
            try (Ops ops = Backends.open("cpu", 2); Model model = Model.open(file, ops, new LoadOptions(64, DType.F32, 0))) {
                float[] logits = model.transformer().forward(PROMPT, 0);
                StringBuilder json = new StringBuilder("{\"logits\":[");
                for (int i = 0; i < logits.length; i++) {
                    json.append(i == 0 ? "" : ",").append(logits[i]);
                }
                json.append("],\"greedy\":[");
                StringBuilder margins = new StringBuilder();
                for (int s = 0; s < 8; s++) {
                    int best = 0;
                    float second = Float.NEGATIVE_INFINITY;
                    for (int i = 1; i < logits.length; i++) {
                        if (logits[i] > logits[best]) {
                            second = logits[best];
                            best = i;
                        } else if (logits[i] > second) {
                            second = logits[i];
                        }
                    }
                    json.append(s == 0 ? "" : ",").append(best);
                    margins.append(s == 0 ? "" : ",").append(logits[best] - second);
                    logits = model.transformer().forward(new int[] {best}, PROMPT.length + s);
                }
                json.append("],\"margins\":[").append(margins).append("]}\n");
                Files.writeString(dir.resolve(file.getFileName() + ".panamax.json"), json);
            }
        }
    }
}
