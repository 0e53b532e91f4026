package dev.panamax.jmh.synth;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * Writes a synthetic model as GGUF: the real tensor names, shapes and types of a {@link SynthShape}
 * (optionally with fewer layers; {@link SynthLayout}), random weights, the architecture's full
 * metadata ({@link SynthMetadata}) and a synthetic SentencePiece vocabulary of the right size, so that
 * Panamax and llama.cpp both load it and run it at the speed of the real model.
 *
 * <p>Each matrix is random F32 uniform in ±1/√cols, quantized with {@link Quants#quantize} (so the
 * blocks are real), in a tile of {@value #TILE_ROWS} rows that is repeated down the matrix: speed
 * does not depend on the values, and quantizing billions of values would take far longer than the
 * benchmark; matrices of up to {@value #SMALL} values (routers among them) are random throughout.
 * Norm weights are 1 ± 0.1.
 */
public final class SynthModel {
    /** Rows of each matrix generated and quantized for real; the rest repeat them. */
    public static final int TILE_ROWS = 64;
    /** Matrices of at most this many values are random throughout (no tile repeats). */
    static final long SMALL = 1 << 20;
    /** Rows of the output projection generated and quantized for real. */
    static final int HEAD_ROWS = 8192;

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
        /** {@return the bytes the tensor's data takes in its type} */
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

    /**
     * Every tensor of {@code shape} stored as {@code type}, in file order.
     *
     * @param shape the model's sizes
     * @param type  the file type, which chooses each tensor's type
     * @return the tensors
     */
    public static List<Entry> tensors(SynthShape shape, SynthType type) {
        List<Entry> f32 = SynthLayout.f32Tensors(shape);
        if (type.quantType() == null) {
            return f32;
        }
        // the types llama-quantize would give these tensors, from the same rules as ./panamax quantize
        Map<String, long[]> shapes = new LinkedHashMap<>();
        f32.forEach(e -> shapes.put(e.name(), e.shape()));
        int experts = shape.experts() == null ? 0 : shape.experts().count();
        QuantizationPlan plan = QuantizationPlan.forF32Tensors(shape.architecture(), shape.layers(), experts, shapes,
                type.quantType(), false);
        return f32.stream().map(e -> new Entry(e.name(), e.role(), e.layer(),
                plan.entry(e.name()).to().dtype().orElseThrow(), e.shape())).toList();
    }

    /** Whether {@code e} holds every routed expert's matrices (a token reads {@code used / count} of it). */
    static boolean isExperts(Entry e) {
        return e.name().contains("_exps.");
    }

    /**
     * Bytes of weights one decoded token reads: every tensor except the embedding table (of which
     * one row is read), plus the output projection (the embedding table when tied); of the routed
     * experts only the {@code used} of {@code count} that a token is sent to.
     *
     * @param shape the model's sizes
     * @param type  the file type
     * @return the bytes, the decode step's memory traffic for its roofline
     */
    public static long bytesPerToken(SynthShape shape, SynthType type) {
        long bytes = 0;
        for (Entry e : tensors(shape, type)) {
            if (e.role().equals("token_embd") && !shape.tiedEmbeddings()) {
                continue;
            }
            bytes += isExperts(e) ? e.byteSize() / shape.experts().count() * shape.experts().used() : e.byteSize();
        }
        return bytes;
    }

    /**
     * Multiply-add parameters per token, the active parameters: every matrix but the embedding lookup,
     * plus the output projection, and of the routed experts the {@code used} ones.
     *
     * @param shape the model's sizes
     * @return the parameters: a token's prefill costs twice as many flops
     */
    public static long matmulParams(SynthShape shape) {
        long params = 0;
        for (Entry e : SynthLayout.f32Tensors(shape)) {
            if (e.shape().length < 2 || (e.role().equals("token_embd") && !shape.tiedEmbeddings())) {
                continue;
            }
            long n = e.byteSize() / Float.BYTES;
            params += isExperts(e) ? n / shape.experts().count() * shape.experts().used() : n;
        }
        return params;
    }

    /**
     * Parameters of the whole model (the embedding table included, once).
     *
     * @param shape the model's sizes
     * @return the parameters
     */
    public static long totalParams(SynthShape shape) {
        return SynthLayout.f32Tensors(shape).stream().mapToLong(e -> e.byteSize() / Float.BYTES).sum();
    }

    /**
     * Writes the model to {@code out} (through a temporary file, so a reader never sees half a model).
     *
     * @param shape the model's sizes
     * @param type  the file type
     * @param out   the GGUF file to write
     * @param seed  the seed of the random weights
     * @throws IOException if the file cannot be written
     */
    public static void write(SynthShape shape, SynthType type, Path out, long seed) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", shape.architecture());
        w.putString("general.name", "panamax synthetic " + shape.name() + " (" + shape.layers() + " layers, random weights)");
        w.putUInt32("general.file_type", type.fileType());
        w.putUInt32("general.quantization_version", 2);
        SynthMetadata.write(w, shape);
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
            w.addTensor(e.name(), e.type(), e.shape(), sink -> writeData(e, shape.tiedEmbeddings(), s, sink));
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

    private static void writeData(Entry e, boolean head, long seed, TensorSink sink) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long[] shape = e.shape();
        long cols = shape[shape.length - 1];
        long rows = e.byteSize() / e.type().byteSize(cols);
        try (Arena arena = Arena.ofConfined()) {
            if (shape.length == 1 || e.role().equals("bias")) {
                // norms 1 ± 0.1, biases and sinks ± 0.5, LongRoPE's factors rising from 1
                long n = rows * cols;
                Tensor t = Tensor.allocate(arena, DType.F32, n);
                for (long i = 0; i < n; i++) {
                    float v = switch (e.role()) {
                        case "norm" -> 1f + 0.1f * (float) (2 * random.nextDouble() - 1);
                        case "rope_factors" -> 1f + 2f * i / n;
                        default -> 0.5f * (float) (2 * random.nextDouble() - 1);
                    };
                    t.data().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                }
                sink.write(t.data());
                return;
            }
            // small matrices (routers among them) random throughout, so that experts differ; the big ones a
            // tile repeated down the matrix, of HEAD_ROWS rows for the output projection so that greedy
            // decoding chooses among that many distinct tokens (ties go to the lowest id)
            boolean whole = rows * cols <= SMALL;
            boolean output = e.role().equals("output") || (e.role().equals("token_embd") && head);
            long tileRows = Math.min(rows, whole ? Math.max(1, SMALL / cols) : output ? HEAD_ROWS : TILE_ROWS);
            Tensor f32 = Tensor.allocate(arena, DType.F32, tileRows, cols);
            float amplitude = e.role().equals("token_embd") ? 1f : (float) (1 / Math.sqrt(cols));
            MemorySegment m = f32.data();
            Arena tileArena = null;
            MemorySegment tile = null;
            try {
                for (long r = 0; r < rows; r += tileRows) {
                    if (tile == null || whole) {
                        for (long i = 0; i < tileRows * cols; i++) {
                            m.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, amplitude * (float) (2 * random.nextDouble() - 1));
                        }
                        if (tileArena != null) {
                            tileArena.close();
                        }
                        tileArena = Arena.ofConfined();
                        tile = e.type() == DType.F32 ? m : Quants.quantize(tileArena, f32, e.type()).data();
                    }
                    long rowBytes = tile.byteSize() / tileRows;
                    sink.write(tile.asSlice(0, Math.min(tileRows, rows - r) * rowBytes));
                }
            } finally {
                if (tileArena != null) {
                    tileArena.close();
                }
            }
        }
    }
}
