package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A small random model of one of the families beyond the Llama lineage (phi3, olmo2, granite,
 * starcoder2), written both as llama.cpp's converter would (GGUF) and as transformers saves it
 * (config.json + safetensors), from one set of weights. The weights are kept under their GGUF
 * names, each with its Hugging Face name from this fixture's own table (independent of the
 * production {@code TensorName}s); none of these families permutes Q/K in GGUF. Family-specific
 * metadata and config.json fields are added by the factories in {@link TinyFamilies}.
 */
final class TinyFamilyModel {
    final String arch, hfType;
    final int dim, ffn, layers, heads, kvHeads, headDim, vocab, context;
    final boolean tied;
    final double theta = 10000;
    final float eps = 1e-5f;
    /** GGUF tensor name to values, shapes (outermost first) and Hugging Face names. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final Map<String, String> hfNames = new LinkedHashMap<>();
    /** Added to the GGUF metadata after the common keys. */
    final List<Consumer<GgufWriter>> metadata = new ArrayList<>();
    /** Added to config.json (each entry {@code "key": value}). */
    final List<String> config = new ArrayList<>();
    /** GGUF names whose rows llama.cpp's converter permutes (Q/K of "norm" RoPE architectures), with their head counts. */
    final Map<String, Integer> permuted = new LinkedHashMap<>();
    /** Leave {@code tie_word_embeddings} out of config.json. */
    boolean omitTied;
    private final Random random;

    TinyFamilyModel(String arch, String hfType, int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int context,
                    boolean tied, Random random) {
        this.arch = arch;
        this.hfType = hfType;
        this.dim = dim;
        this.ffn = ffn;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = dim / heads;
        this.vocab = vocab;
        this.context = context;
        this.tied = tied;
        this.random = random;
    }

    /** The weight of GGUF name {@code gguf}, or null (the oracle's view). */
    float[] w(String gguf) {
        return weights.get(gguf);
    }

    /** A matrix {@code [rows, cols]} ~ N(0, 1/cols), so that every layer's outputs stay O(1). */
    TinyFamilyModel matrix(String gguf, String hf, int rows, int cols) {
        return put(gguf, hf, Seeded.gaussian(random, rows * cols, 1 / Math.sqrt(cols)), rows, cols);
    }

    /** A norm gain {@code [n]} ~ 1 + N(0, 0.2²). */
    TinyFamilyModel gain(String gguf, String hf, int n) {
        float[] g = Seeded.gaussian(random, n, 0.2);
        for (int i = 0; i < n; i++) {
            g[i] += 1;
        }
        return put(gguf, hf, g, n);
    }

    /** A bias or other vector {@code [n]} ~ N(0, sigma²). */
    TinyFamilyModel vector(String gguf, String hf, int n, double sigma) {
        return put(gguf, hf, Seeded.gaussian(random, n, sigma), n);
    }

    /** The embedding table ~ N(0, 1). */
    TinyFamilyModel embedding(String hf) {
        return put("token_embd.weight", hf, Seeded.gaussian(random, vocab * dim, 1), vocab, dim);
    }

    TinyFamilyModel put(String gguf, String hf, float[] values, long... shape) {
        weights.put(gguf, values);
        shapes.put(gguf, shape);
        hfNames.put(gguf, hf);
        return this;
    }

    /** Writes the GGUF file (F32 tensors) without a vocabulary. */
    Path writeGguf(Path file) throws IOException {
        return writeGguf(file, false);
    }

    /**
     * Writes the GGUF file; with {@code vocabulary}, also a SentencePiece vocabulary of {@code vocab}
     * tokens ({@code <unk> <s> </s> <|endoftext|>}, 256 byte tokens, then pieces) so that llama.cpp loads it.
     */
    Path writeGguf(Path file, boolean vocabulary) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putString("general.name", "panamax tiny " + arch);
        w.putUInt32(arch + ".context_length", context);
        w.putUInt32(arch + ".embedding_length", dim);
        w.putUInt32(arch + ".block_count", layers);
        w.putUInt32(arch + ".feed_forward_length", ffn);
        w.putUInt32(arch + ".attention.head_count", heads);
        w.putUInt32(arch + ".attention.head_count_kv", kvHeads);
        w.putFloat32(arch + ".rope.freq_base", (float) theta);
        w.putUInt32(arch + ".vocab_size", vocab);
        for (Consumer<GgufWriter> m : metadata) {
            m.accept(w);
        }
        if (vocabulary) {
            vocabulary(w);
        }
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] v = permuted.containsKey(e.getKey()) ? permute(e.getValue(), permuted.get(e.getKey()), shapes.get(e.getKey()))
                    : e.getValue();
            w.addTensor(e.getKey(), DType.F32, shapes.get(e.getKey()), MemorySegment.ofArray(v));
        }
        w.write(file);
        return file;
    }

    /** Within each head, row {@code half · D/2 + i} (halves rotate together) moves to row {@code 2i + half} (pairs do). */
    private float[] permute(float[] w, int nHeads, long[] shape) {
        int cols = shape.length == 1 ? 1 : (int) shape[1];
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < half; i++) {
                    System.arraycopy(w, (h * headDim + part * half + i) * cols, out, (h * headDim + 2 * i + part) * cols, cols);
                }
            }
        }
        return out;
    }

    private void vocabulary(GgufWriter w) {
        // <|endoftext|>: llama.cpp looks it up in models named phi3 (llama_vocab::load, token attributes)
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<|endoftext|>"));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        int firstPiece = tokens.size();
        for (int i = 0; tokens.size() < vocab; i++) {
            tokens.add((i % 2 == 0 ? "▁" : "") + Integer.toString(i, 26).replaceAll("[0-9]", "z").replace('p', 'y') + i);
        }
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i == 0 ? 2 : i < 4 ? 3 : i < firstPiece ? 6 : 1;
            scores[i] = i < firstPiece ? 0 : -(i - firstPiece);
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", scores);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", 2);
    }

    /** Writes config.json and model.safetensors (F32) into {@code dir}. */
    Path writeHf(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder json = new StringBuilder("{\"architectures\": [\"X\"], \"model_type\": \"" + hfType + "\"");
        json.append(", \"hidden_size\": ").append(dim).append(", \"intermediate_size\": ").append(ffn)
                .append(", \"num_hidden_layers\": ").append(layers).append(", \"num_attention_heads\": ").append(heads)
                .append(", \"num_key_value_heads\": ").append(kvHeads).append(", \"vocab_size\": ").append(vocab)
                .append(", \"max_position_embeddings\": ").append(context).append(", \"rope_theta\": ").append(theta)
                .append(omitTied ? "" : ", \"tie_word_embeddings\": " + tied).append(", \"torch_dtype\": \"float32\"");
        for (String c : config) {
            json.append(", ").append(c);
        }
        Files.writeString(dir.resolve("config.json"), json.append("}\n"));
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                String hf = hfNames.get(e.getKey());
                if (hf != null) {
                    w.add(hf, Tensor.of(arena, e.getValue(), shapes.get(e.getKey())));
                }
            }
            w.write(dir.resolve("model.safetensors"));
        }
        return dir;
    }
}
