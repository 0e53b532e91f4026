package dev.panamax.formats.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/** A buffered little-endian writer over a channel, counting the bytes it has written. */
final class ChannelSink implements TensorSink {
    private static final int BUFFER_BYTES = 1 << 20;

    private final WritableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private long position;
    private long mark;

    ChannelSink(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Total bytes written since creation. */
    long position() {
        return position;
    }

    /** Starts counting {@link #written()} from here. */
    void mark() {
        mark = position;
    }

    @Override
    public long written() {
        return position - mark;
    }

    @Override
    public void write(MemorySegment bytes) throws IOException {
        long n = bytes.byteSize();
        long done = 0;
        while (done < n) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            int chunk = (int) Math.min(buffer.remaining(), n - done);
            MemorySegment.copy(bytes, done, bufferSegment, buffer.position(), chunk);
            buffer.position(buffer.position() + chunk);
            done += chunk;
        }
        position += n;
    }

    void u8(int v) throws IOException {
        room(1);
        buffer.put((byte) v);
        position += 1;
    }

    void u16(int v) throws IOException {
        room(2);
        buffer.putShort((short) v);
        position += 2;
    }

    void u32(int v) throws IOException {
        room(4);
        buffer.putInt(v);
        position += 4;
    }

    void u64(long v) throws IOException {
        room(8);
        buffer.putLong(v);
        position += 8;
    }

    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[4096]);

    /** Writes {@code n} zero bytes (padding; up to the alignment, which may be large). */
    void zeros(long n) throws IOException {
        for (long left = n; left > 0; left -= ZEROS.byteSize()) {
            write(ZEROS.asSlice(0, Math.min(left, ZEROS.byteSize())));
        }
    }

    void bytes(byte[] b) throws IOException {
        write(MemorySegment.ofArray(b));
    }

    /** Writes {@code n} elements of a primitive array in little-endian order. */
    void array(Object primitiveArray, ValueLayout layout, int n) throws IOException {
        long bytes = n * layout.byteSize();
        MemorySegment tmp = MemorySegment.ofArray(new byte[(int) Math.min(bytes, BUFFER_BYTES)]);
        long elementsPerChunk = tmp.byteSize() / layout.byteSize();
        for (long i = 0; i < n; i += elementsPerChunk) {
            int count = (int) Math.min(elementsPerChunk, n - i);
            MemorySegment.copy(primitiveArray, (int) i, tmp, layout, 0, count);
            write(tmp.asSlice(0, count * layout.byteSize()));
        }
    }

    private void room(int n) throws IOException {
        if (buffer.remaining() < n) {
            drain();
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Writes out everything buffered. */
    void flush() throws IOException {
        drain();
    }
}
