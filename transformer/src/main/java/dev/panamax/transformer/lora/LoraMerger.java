package dev.panamax.transformer.lora;

import dev.panamax.transformer.nn.AdapterWeights;
import dev.panamax.transformer.family.Families;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.quant.Quants;
import dev.panamax.transformer.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a GGUF base with adapters merged in: every adapted matrix becomes F32
 * {@code W + Σ scaleᵢ · Bᵢ · Aᵢ} (the base decoded, the sum in double, rounded once); every other
 * tensor and all metadata are copied as they are. Quantize the result with
 * {@link dev.panamax.formats.quant.ModelQuantizer} for a smaller file.
 */
public final class LoraMerger {
    private LoraMerger() {
    }

    /**
     * Merges {@code adapters} into the GGUF model {@code base}, writing {@code out}; returns the tensors merged.
     *
     * @param base     the GGUF model
     * @param adapters the adapters and their scales
     * @param out      the GGUF file to write (replaced if it exists)
     * @return the number of tensors merged
     * @throws IOException if a file cannot be read or written
     * @param decodeAll write every tensor as F32 (so that the result can be quantized afresh), not only the merged ones
     */
    public static int merge(Path base, AdapterSet adapters, Path out, boolean decodeAll) throws IOException {
        try (GgufFile g = GgufFile.open(base); Arena arena = Arena.ofConfined()) {
            ModelConfig config = Families.read(g).common();
            GgufWriter w = new GgufWriter();
            w.copyMetadata(g.metadata());
            if (decodeAll) {
                w.put("general.file_type", dev.panamax.formats.gguf.GgufValueType.UINT32, 0L); // llama.cpp's ALL_F32
            }
            Set<String> used = new HashSet<>();
            int merged = 0;
            for (GgufTensorInfo info : g.tensorInfos()) {
                String name = info.name();
                boolean adapted = adapters.uses().stream().anyMatch(u -> u.adapter().factors().containsKey(name));
                if (!adapted && decodeAll && info.type() != GgmlType.F32) {
                    float[] values = Quants.dequantize(arena, g.tensor(name)).toFloatArray();
                    w.addTensor(name, GgmlType.F32, info.shape(), sink -> sink.write(MemorySegment.ofArray(values)));
                    continue;
                }
                if (!adapted) {
                    w.addTensor(name, info.type(), info.shape(), sink -> sink.write(g.tensorBytes(name)));
                    continue;
                }
                long[] shape = info.shape();
                if (shape.length != 2 || name.endsWith("token_embd.weight")) {
                    throw new FormatException(base, name, Arrays.toString(shape), "lora merge takes adapters of projection"
                            + " matrices; apply adapters of the experts or the token embedding at run time (--lora)");
                }
                float[] weight = Quants.dequantize(arena, g.tensor(name)).toFloatArray();
                float[] result = mergedInto(weight, (int) shape[0], (int) shape[1], name, adapters, config, used);
                w.addTensor(name, GgmlType.F32, shape, sink -> sink.write(MemorySegment.ofArray(result)));
                merged++;
            }
            for (AdapterSet.Use u : adapters.uses()) {
                for (String name : u.adapter().factors().keySet()) {
                    if (!used.contains(u.adapter().source() + "\u0000" + name)) {
                        throw new FormatException(u.adapter().source(), name, "not in the base", "the base " + base + " has no such matrix");
                    }
                }
            }
            w.write(out);
            return merged;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static float[] mergedInto(float[] weight, int rows, int cols, String name, AdapterSet adapters, ModelConfig config,
                                      Set<String> used) {
        double[] sum = new double[weight.length];
        for (int i = 0; i < weight.length; i++) {
            sum[i] = weight[i];
        }
        for (AdapterSet.Use u : adapters.uses()) {
            LoraFactors f = u.adapter().factors().get(name);
            if (f == null) {
                continue;
            }
            AdapterWeights.checkShape(u.adapter(), name, f, new long[] {rows, cols});
            float[] b = AdapterWeights.inBaseRowOrder(u.adapter(), name, f, config, true);
            float[] a = f.a().toFloatArray();
            int r = f.rank();
            double s = u.factor(r);
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < r; k++) {
                    double bik = s * b[i * r + k];
                    int ao = k * cols, wo = i * cols;
                    for (int j = 0; j < cols; j++) {
                        sum[wo + j] += bik * a[ao + j];
                    }
                }
            }
            used.add(u.adapter().source() + "\u0000" + name);
        }
        float[] out = new float[weight.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }
}
