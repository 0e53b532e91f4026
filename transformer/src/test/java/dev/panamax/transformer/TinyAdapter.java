package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A random LoRA adapter for a {@link TinyModel}: factors {@code a [r, in]}, {@code b [out, r]} for every
 * projection of every layer, in transformers' row order, written as a PEFT directory and, with the
 * Q/K rows of {@code b} permuted as llama.cpp's converter does, as a GGUF adapter.
 */
final class TinyAdapter {
    static final String[] PROJECTIONS = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
    private static final Map<String, String> HF = Map.of("attn_q", "self_attn.q_proj", "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj", "ffn_gate", "mlp.gate_proj", "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj");

    final TinyModel model;
    final int rank;
    final float alpha;
    /** GGUF base name ("blk.0.attn_q.weight") to a and b, transformers' row order. */
    final Map<String, float[]> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();

    /** b ~ N(0, 1/r) · 0.5 so that the change is of the order of the weights' own (PEFT starts b at 0; a trained one is not). */
    TinyAdapter(TinyModel model, int rank, float alpha, Random r) {
        this.model = model;
        this.rank = rank;
        this.alpha = alpha;
        for (int l = 0; l < model.layers; l++) {
            for (String p : PROJECTIONS) {
                String name = "blk." + l + "." + p + ".weight";
                long[] s = model.shapes.get(name);
                a.put(name, Seeded.gaussian(r, rank * (int) s[1], 1 / Math.sqrt(s[1])));
                b.put(name, Seeded.gaussian(r, (int) s[0] * rank, 0.5 / Math.sqrt(rank)));
            }
        }
    }

    /** b with llama.cpp's Q/K row order for a llama base. */
    float[] ggufB(String name) {
        long[] shape = {model.shapes.get(name)[0], rank};
        if (model.ggufLayout() == dev.panamax.tensor.Rope.Layout.INTERLEAVED) {
            if (name.endsWith(".attn_q.weight")) {
                return model.permute(b.get(name), model.heads, shape);
            }
            if (name.endsWith(".attn_k.weight")) {
                return model.permute(b.get(name), model.kvHeads, shape);
            }
        }
        return b.get(name);
    }

    /**
     * {@code weights} (in the given row order) plus {@code scale · alpha / rank · b · a}, summed in double.
     *
     * @param gguf whether {@code weights} are in llama.cpp's Q/K row order
     */
    Map<String, float[]> applied(Map<String, float[]> weights, double scale, boolean gguf) {
        Map<String, float[]> out = new LinkedHashMap<>(weights);
        double s = scale * alpha / rank;
        for (String name : a.keySet()) {
            float[] w = weights.get(name), av = a.get(name), bv = gguf ? ggufB(name) : b.get(name);
            int rows = (int) model.shapes.get(name)[0], cols = (int) model.shapes.get(name)[1];
            float[] merged = new float[w.length];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double d = 0;
                    for (int k = 0; k < rank; k++) {
                        d += (double) bv[i * rank + k] * av[k * cols + j];
                    }
                    merged[i * cols + j] = (float) (w[i * cols + j] + s * d);
                }
            }
            out.put(name, merged);
        }
        return out;
    }

    /** llama.cpp's adapter file: general.type adapter, adapter.lora.alpha, {@code <base>.lora_a/lora_b} stored as {@code type}. */
    Path writeGguf(Path file, DType type) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", model.arch);
        w.putString("general.type", "adapter");
        w.putString("adapter.type", "lora");
        w.putFloat32("adapter.lora.alpha", alpha);
        try (Arena arena = Arena.ofConfined()) {
            for (String name : a.keySet()) {
                String base = name; // llama.cpp keeps ".weight": blk.0.attn_q.weight.lora_a
                long[] shape = model.shapes.get(name);
                w.addTensor(base + ".lora_a", stored(arena, a.get(name), type, rank, shape[1]));
                w.addTensor(base + ".lora_b", stored(arena, ggufB(name), type, shape[0], rank));
            }
            w.write(file);
        }
        return file;
    }

    private static Tensor stored(Arena arena, float[] values, DType type, long rows, long cols) {
        if (!type.isQuantized()) {
            return Tensor.of(arena, values, rows, cols).to(arena, type);
        }
        Tensor t = Tensor.allocate(arena, type, rows, cols);
        for (int i = 0; i < rows; i++) {
            dev.panamax.formats.quant.Quants.quantizeRow(type, values, (int) (i * cols), (int) cols, t.segment(), i * type.byteSize(cols));
        }
        return t;
    }

    /** PEFT's directory: adapter_config.json and adapter_model.safetensors with transformers' module names. */
    Path writePeft(Path dir, String extraConfig) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "r": %d, "lora_alpha": %s, "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj",
                 "gate_proj", "up_proj", "down_proj"], "fan_in_fan_out": false, %s "modules_to_save": null}
                """.formatted(rank, Float.toString(alpha), extraConfig));
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (String name : a.keySet()) {
                String[] p = name.split("\\.");
                String module = "base_model.model.model.layers." + p[1] + "." + HF.get(p[2]);
                long[] shape = model.shapes.get(name);
                w.add(module + ".lora_A.weight", Tensor.of(arena, a.get(name), rank, shape[1]));
                w.add(module + ".lora_B.weight", Tensor.of(arena, b.get(name), shape[0], rank));
            }
            w.write(dir.resolve("adapter_model.safetensors"));
        }
        return dir;
    }

}
