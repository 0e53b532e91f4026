package dev.panamax.formats.gguf;

import java.io.IOException;

/**
 * Produces a tensor's bytes when {@link GgufWriter#write} reaches it, so that a converter can
 * write a large model one tensor (or one row) at a time without holding it all in memory.
 *
 * <pre>{@code
 * writer.addTensor("blk.0.ffn_up.weight", GgmlType.Q4_K, new long[] {rows, cols}, sink -> {
 *     MemorySegment row = arena.allocate(rowBytes);
 *     for (long r = 0; r < rows; r++) {
 *         quantizeRowInto(r, row);
 *         sink.write(row);
 *     }
 * });
 * }</pre>
 */
@FunctionalInterface
public interface TensorSource {
    /**
     * Writes exactly the tensor's byte size to {@code sink}.
     *
     * @param sink where the bytes go, in order
     * @throws IOException if reading the source or writing fails
     */
    void writeTo(TensorSink sink) throws IOException;
}
