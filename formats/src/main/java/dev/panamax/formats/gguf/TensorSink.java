package dev.panamax.formats.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Where a {@link TensorSource} writes a tensor's bytes, in order: the data section of the GGUF
 * file being written. Writes are buffered; the writer checks afterwards that exactly the tensor's
 * byte size was written.
 */
public interface TensorSink {
    /**
     * Appends all bytes of {@code bytes}.
     *
     * @param bytes the bytes to append, all of them
     * @throws IOException if the output fails
     */
    void write(MemorySegment bytes) throws IOException;

    /**
     * Appends {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @param bytes  the array holding the bytes
     * @param offset the first byte to append
     * @param length how many bytes
     * @throws IOException if the output fails
     */
    default void write(byte[] bytes, int offset, int length) throws IOException {
        write(MemorySegment.ofArray(bytes).asSlice(offset, length));
    }

    /** {@return bytes written to this sink for the current tensor so far} */
    long written();
}
