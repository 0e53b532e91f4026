package dev.panamax.formats.quant;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.gguf.GgufValueType;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.gguf.TensorSink;
import dev.panamax.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Quantizes a GGUF model as llama.cpp's llama-quantize does without an importance matrix: same
 * tensor types ({@link QuantizationPlan}), same bytes ({@link Quants}, ggml's reference quantizers),
 * same file layout. The metadata is the input's, with {@code general.quantization_version = 2} and
 * {@code general.file_type} (llama_ftype) moved to the end, and the split keys removed.
 *
 * <p>Sources must be F32, F16 or BF16 for the tensors that change type (llama-quantize refuses to
 * requantize quantized tensors by default, and so do we); tensors that keep their type are copied.
 * The output is written to a temporary file and renamed, so a failure leaves no partial file. Rows
 * are converted in parallel (common fork-join pool); the bytes do not depend on the thread count.
 */
public final class ModelQuantizer {
    /** ggml's GGML_QNT_VERSION: the version of the quantized block layouts. */
    public static final int QUANTIZATION_VERSION = 2;

    private ModelQuantizer() {
    }

    /** Told how far a quantization has come, e.g. to draw a progress bar. */
    @FunctionalInterface
    public interface Progress {
        /** Listens to nothing. */
        Progress NONE = (done, total) -> { };

        /**
         * Called as the output is written.
         *
         * @param bytesDone  bytes of the source's tensors written so far, copied or converted
         * @param bytesTotal bytes of all the source's tensors
         */
        void written(long bytesDone, long bytesTotal);
    }

    /**
     * Quantizes {@code in} into {@code out}.
     *
     * @param in   the F32/F16/BF16 GGUF model
     * @param out  the file to write (replaced if it exists)
     * @param type the file type to quantize to
     * @param pure give every quantized matrix {@code type}'s default type (llama-quantize {@code --pure})
     * @return the plan that was carried out
     * @throws IOException if {@code in} cannot be read or {@code out} written
     * @throws UnsupportedOperationException if a tensor that must change type is stored quantized
     */
    public static QuantizationPlan quantize(Path in, Path out, QuantType type, boolean pure) throws IOException {
        return quantize(in, out, type, pure, Progress.NONE);
    }

    /**
     * Quantizes {@code in} into {@code out}, telling {@code progress} how far it has come.
     *
     * @param in       the F32/F16/BF16 GGUF model
     * @param out      the file to write (replaced if it exists)
     * @param type     the file type to quantize to
     * @param pure     give every quantized matrix {@code type}'s default type (llama-quantize {@code --pure})
     * @param progress called on the writing thread after each tensor is copied and each chunk of rows converted
     * @return the plan that was carried out
     * @throws IOException if {@code in} cannot be read or {@code out} written
     * @throws UnsupportedOperationException if a tensor that must change type is stored quantized
     */
    public static QuantizationPlan quantize(Path in, Path out, QuantType type, boolean pure, Progress progress) throws IOException {
        try (GgufFile source = GgufFile.open(in)) {
            QuantizationPlan plan = QuantizationPlan.of(source, type, pure);
            long total = 0;
            for (QuantizationPlan.Entry e : plan.entries()) {
                total += source.tensorBytes(e.name()).byteSize();
            }
            long bytesTotal = total;
            long[] bytesDone = {0};
            LongConsumer advance = bytes -> {
                bytesDone[0] += bytes;
                progress.written(bytesDone[0], bytesTotal);
            };
            GgufWriter writer = new GgufWriter();
            writer.copyMetadata(source.metadata());
            for (String key : new String[] {"split.no", "split.count", "split.tensors.count"}) {
                writer.remove(key);
            }
            // llama.cpp's gguf_set_val_* removes a key and appends it: both land at the end, in this order
            writer.remove("general.quantization_version");
            writer.put("general.quantization_version", GgufValueType.UINT32, (long) QUANTIZATION_VERSION);
            writer.remove("general.file_type");
            writer.put("general.file_type", GgufValueType.UINT32, (long) type.fileType());
            for (QuantizationPlan.Entry e : plan.entries()) {
                if (!e.converts()) {
                    GgufTensorInfo info = source.findTensorInfo(e.name()).orElseThrow();
                    writer.addTensor(e.name(), info.type(), info.shape(), sink -> {
                        MemorySegment bytes = source.tensorBytes(e.name());
                        sink.write(bytes);
                        advance.accept(bytes.byteSize());
                    });
                } else {
                    DType from = e.from().dtype().filter(t -> !t.isQuantized()).orElseThrow(
                            () -> new UnsupportedOperationException(in + ": tensor '" + e.name() + "' is stored as " + e.from()
                                    + "; requantizing it to " + e.to() + " would compound two roundings (give an F32/F16/BF16 model)"));
                    DType to = e.to().dtype().orElseThrow();
                    writer.addTensor(e.name(), e.to(), e.shape(), sink -> convert(source, e.name(), from, to, sink, advance));
                }
            }
            writer.write(out);
            return plan;
        }
    }

    /** Rows converted per step: about 4 MiB of F32 input, split between the cores. */
    private static final long CHUNK_INPUT_BYTES = 4L << 20;

    /**
     * Streams tensor {@code name} converted into {@code sink}, a chunk of rows at a time; the rows of a
     * chunk are converted in parallel (each worker owns one row buffer) into a shared chunk buffer, so
     * the bytes do not depend on the number of threads. {@code advance} gets each chunk's source bytes.
     */
    private static void convert(GgufFile source, String name, DType from, DType to, TensorSink sink, LongConsumer advance)
            throws IOException {
        MemorySegment data = source.tensorBytes(name);
        long[] shape = source.findTensorInfo(name).orElseThrow().shape();
        int cols = Math.toIntExact(shape[shape.length - 1]);
        long inRow = from.byteSize(cols);
        long outRow = to.byteSize(cols);
        long rows = data.byteSize() / inRow;
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_INPUT_BYTES / (4L * cols)));
        int workers = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), chunkRows));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment chunk = arena.allocate(outRow * chunkRows);
            for (long first = 0; first < rows; first += chunkRows) {
                long start = first;
                int count = (int) Math.min(chunkRows, rows - first);
                IntStream.range(0, workers).parallel().forEach(w -> {
                    float[] row = new float[cols];
                    for (int r = w; r < count; r += workers) {
                        Quants.dequantizeRow(from, data, (start + r) * inRow, row, 0, cols);
                        Quants.quantizeRow(to, row, 0, cols, chunk, r * outRow);
                    }
                });
                sink.write(chunk.asSlice(0, count * outRow));
                advance.accept(count * inRow);
            }
        }
    }
}
