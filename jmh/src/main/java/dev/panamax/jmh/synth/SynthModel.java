package dev.panamax.jmh.synth;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.gguf.TensorSink;
import dev.panamax.formats.quant.QuantizationPlan;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;

/**
 * Writes a synthetic Llama model as GGUF: the real tensor names, shapes and types of a
 * {@link SynthShape} (optionally with fewer layers), random weights, the full {@code llama.*}
 * metadata and a synthetic SentencePiece vocabulary of the right size, so that Panamax and llama.cpp
 * both load it and run it at the speed of the real model.
 *
 * <p>Each matrix is random F32 uniform in ±1/√cols, quantized with {@link Quants#quantize} (so the
 * blocks are real), in a tile of {@value #TILE_ROWS} rows that is repeated down the matrix: speed
 * does not depend on the values, and quantizing billions of values would take far longer than the
 * benchmark. Norm weights are 1 ± 0.1.
 */
public final class SynthModel {
    /** Rows of each matrix generated and quantized for real; the rest repeat them. */
    public static final int TILE_ROWS = 64;

    /**
     * One tensor of the model.
     *
     * @param name  GGUF tensor name, e.g. "blk.0.attn_q.weight"
     * @param role  "attn_q", ..., "token_embd", "output", or "norm"
     * @param layer block index, -1 outside blocks
     * @param type  stored type
     * @param shape outermost first
     */
    public record Entry(String name, String role, int layer, DType type, long[] shape) {
        public long byteSize() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return type.byteSize(n);
        }
    }

    private SynthModel() {
    }

    /** Every tensor of {@code shape} stored as {@code type}, in file order. */
    public static List<Entry> tensors(SynthShape shape, SynthType type) {
        List<Entry> f32 = new ArrayList<>();
        int n = shape.layers();
        f32.add(matrix("", "token_embd", -1, shape.vocab(), shape.dim()));
        for (int l = 0; l < n; l++) {
            String p = "blk." + l + ".";
            f32.add(norm(p + "attn_norm.weight", l, shape));
            f32.add(matrix(p, "attn_q", l, shape.dim(), shape.dim()));
            f32.add(matrix(p, "attn_k", l, shape.kvDim(), shape.dim()));
            f32.add(matrix(p, "attn_v", l, shape.kvDim(), shape.dim()));
            f32.add(matrix(p, "attn_output", l, shape.dim(), shape.dim()));
            f32.add(norm(p + "ffn_norm.weight", l, shape));
            f32.add(matrix(p, "ffn_gate", l, shape.ffn(), shape.dim()));
            f32.add(matrix(p, "ffn_up", l, shape.ffn(), shape.dim()));
            f32.add(matrix(p, "ffn_down", l, shape.dim(), shape.ffn()));
        }
        f32.add(norm("output_norm.weight", -1, shape));
        if (!shape.tiedEmbeddings()) {
            f32.add(matrix("", "output", -1, shape.vocab(), shape.dim()));
        }
        if (type.quantType() == null) {
            return f32;
        }
        // the types llama-quantize would give these tensors, from the same rules as ./panamax quantize
        Map<String, long[]> shapes = new LinkedHashMap<>();
        f32.forEach(e -> shapes.put(e.name(), e.shape()));
        QuantizationPlan plan = QuantizationPlan.forF32Tensors("llama", n, shapes, type.quantType(), false);
        return f32.stream().map(e -> new Entry(e.name(), e.role(), e.layer(),
                plan.entry(e.name()).to().dtype().orElseThrow(), e.shape())).toList();
    }

    private static Entry matrix(String prefix, String role, int layer, long rows, long cols) {
        return new Entry(prefix + role + ".weight", role, layer, DType.F32, new long[] {rows, cols});
    }

    private static Entry norm(String name, int layer, SynthShape shape) {
        return new Entry(name, "norm", layer, DType.F32, new long[] {shape.dim()});
    }

    /**
     * Bytes of weights one decoded token reads: every matrix except the embedding table (of which
     * one row is read), plus the output projection (the embedding table when tied).
     */
    public static long bytesPerToken(SynthShape shape, SynthType type) {
        long bytes = 0;
        for (Entry e : tensors(shape, type)) {
            if (!e.role().equals("token_embd")) {
                bytes += e.byteSize();
            } else if (shape.tiedEmbeddings()) {
                bytes += e.byteSize();
            }
        }
        return bytes;
    }

    /** Multiply-add parameters per token (every matrix but the embedding lookup, plus the output projection). */
    public static long matmulParams(SynthShape shape) {
        long d = shape.dim();
        long perLayer = d * d * 2 + 2L * shape.kvDim() * d + 3L * shape.ffn() * d;
        return perLayer * shape.layers() + (long) shape.vocab() * d;
    }

    /** Writes the model to {@code out} (through a temporary file, so a reader never sees half a model). */
    public static void write(SynthShape shape, SynthType type, Path out, long seed) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "panamax synthetic " + shape.name() + " (" + shape.layers() + " layers, random weights)");
        w.putUInt32("general.file_type", type.fileType());
        w.putUInt32("general.quantization_version", 2);
        w.putUInt32("llama.context_length", shape.context());
        w.putUInt32("llama.embedding_length", shape.dim());
        w.putUInt32("llama.block_count", shape.layers());
        w.putUInt32("llama.feed_forward_length", shape.ffn());
        w.putUInt32("llama.attention.head_count", shape.heads());
        w.putUInt32("llama.attention.head_count_kv", shape.kvHeads());
        w.putUInt32("llama.rope.dimension_count", shape.headDim());
        w.putFloat32("llama.rope.freq_base", shape.ropeTheta());
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.putUInt32("llama.vocab_size", shape.vocab());
        SynthVocabulary vocab = SynthVocabulary.of(shape.vocab());
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", vocab.tokens());
        w.putFloat32Array("tokenizer.ggml.scores", vocab.scores());
        w.putInt32Array("tokenizer.ggml.token_type", vocab.types());
        w.putUInt32("tokenizer.ggml.unknown_token_id", SynthVocabulary.UNK);
        w.putUInt32("tokenizer.ggml.bos_token_id", SynthVocabulary.BOS);
        w.putUInt32("tokenizer.ggml.eos_token_id", SynthVocabulary.EOS);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);

        long tensorSeed = seed;
        for (Entry e : tensors(shape, type)) {
            long s = tensorSeed++;
            w.addTensor(e.name(), e.type(), e.shape(), sink -> writeData(e, s, sink));
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = Files.createTempFile(parent, out.getFileName().toString(), ".part");
        try {
            w.write(tmp);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeData(Entry e, long seed, TensorSink sink) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long cols = e.shape()[e.shape().length - 1];
        long rows = e.shape().length == 1 ? 1 : e.shape()[0];
        try (Arena arena = Arena.ofConfined()) {
            if (e.role().equals("norm")) {
                Tensor t = Tensor.allocate(arena, DType.F32, cols);
                for (long i = 0; i < cols; i++) {
                    t.data().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, 1f + 0.1f * (float) (2 * random.nextDouble() - 1));
                }
                sink.write(t.data());
                return;
            }
            long tileRows = Math.min(TILE_ROWS, rows);
            Tensor f32 = Tensor.allocate(arena, DType.F32, tileRows, cols);
            float amplitude = e.role().equals("token_embd") ? 1f : (float) (1 / Math.sqrt(cols));
            MemorySegment m = f32.data();
            for (long i = 0; i < tileRows * cols; i++) {
                m.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, amplitude * (float) (2 * random.nextDouble() - 1));
            }
            MemorySegment tile = e.type() == DType.F32 ? m : Quants.quantize(arena, f32, e.type()).data();
            long rowBytes = tile.byteSize() / tileRows;
            for (long r = 0; r < rows; r += tileRows) {
                long n = Math.min(tileRows, rows - r);
                sink.write(tile.asSlice(0, n * rowBytes));
            }
        }
    }
}
