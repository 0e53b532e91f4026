package dev.panamax.formats.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.panamax.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes a safetensors file the way the reference implementation does: tensors ordered by
 * descending dtype (the order of {@link SafetensorsDType}, i.e. largest alignment first), then by
 * name; the header is compact JSON with {@code __metadata__} first, padded with spaces to a multiple
 * of 8 bytes so that the data section starts 8-byte aligned.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *         .putMetadata("format", "pt")
 *         .add("embed.weight", embedding)                 // F32, F16, BF16, F64, I8..I64 tensors
 *         .add("mask", maskI8, SafetensorsDType.BOOL)     // I8 storage written as BOOL (or U8)
 *         .addRaw("scale", SafetensorsDType.F8_E4M3, new long[] {4}, bytes)
 *         .write(Path.of("model.safetensors"));
 * }</pre>
 *
 * Tensors are referenced, not copied: their memory must stay alive until {@link #write} returns.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int CHUNK = 1 << 30;

    private record Entry(String name, SafetensorsDType dtype, long[] shape, MemorySegment bytes) {}

    private final Map<String, String> metadata = new TreeMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();

    /** An empty writer: no tensors, no metadata. */
    public SafetensorsWriter() {}

    /**
     * Adds a {@code __metadata__} entry (written sorted by key).
     *
     * @param key   the metadata key, e.g. {@code format}
     * @param value its text (safetensors metadata holds only strings)
     * @return this writer
     */
    public SafetensorsWriter putMetadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds a contiguous host tensor of type F64, F32, F16, BF16, I64, I32, I16 or I8.
     *
     * @param name   the tensor's name, unique in the file
     * @param tensor the data, which must stay alive until {@link #write(Path)}
     * @return this writer
     * @throws IllegalArgumentException for a quantized or non-contiguous tensor or a repeated name
     */
    public SafetensorsWriter add(String name, Tensor tensor) {
        return add(name, tensor, SafetensorsDType.of(tensor.dtype()));
    }

    /**
     * Adds a tensor whose bytes are written as {@code as}, which must have the tensor's dtype as its
     * storage type: an I8 tensor may be written as U8 or BOOL, I16/I32/I64 as U16/U32/U64.
     *
     * @param name   the tensor's name, unique in the file
     * @param tensor the data, which must stay alive until the file is written
     * @param as     the dtype written in the header
     * @return this writer
     * @throws IllegalArgumentException if {@code as} does not store {@code tensor}'s dtype, or for a repeated name
     */
    public SafetensorsWriter add(String name, Tensor tensor, SafetensorsDType as) {
        if (!as.hasStorageType() || as.storageType() != tensor.dtype()) {
            throw new IllegalArgumentException("a " + tensor.dtype() + " tensor cannot be written as " + as);
        }
        if (!tensor.isContiguous()) {
            throw new IllegalArgumentException("tensor " + Json.quote(name) + " is not contiguous; call contiguous(arena) first");
        }
        return put(new Entry(name, as, tensor.shape(), tensor.data()));
    }

    /**
     * Adds raw little-endian bytes as a tensor of any type (for F8 data, say).
     *
     * @param name  the tensor's name, unique in the file
     * @param dtype the dtype written in the header
     * @param shape the sizes, outermost first
     * @param bytes the data, which must stay readable until the file is written
     * @return this writer
     * @throws IllegalArgumentException if {@code bytes} does not hold exactly product(shape) elements
     */
    public SafetensorsWriter addRaw(String name, SafetensorsDType dtype, long[] shape, MemorySegment bytes) {
        long expected = dtype.byteSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            expected = Math.multiplyExact(expected, d);
        }
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException(dtype + Arrays.toString(shape) + " needs " + expected + " bytes, got "
                    + bytes.byteSize());
        }
        return put(new Entry(name, dtype, shape.clone(), bytes));
    }

    private SafetensorsWriter put(Entry e) {
        Objects.requireNonNull(e.name(), "name");
        if (SafetensorsHeader.METADATA_KEY.equals(e.name())) {
            throw new IllegalArgumentException(SafetensorsHeader.METADATA_KEY + " is reserved for metadata");
        }
        if (tensors.putIfAbsent(e.name(), e) != null) {
            throw new IllegalArgumentException("tensor " + Json.quote(e.name()) + " was already added");
        }
        return this;
    }

    /**
     * Writes the file, replacing {@code out} if it exists.
     *
     * @param out the file to create or replace
     * @throws UncheckedIOException if it cannot be written
     */
    public void write(Path out) {
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    /**
     * Writes the file's bytes to {@code out}, which stays open.
     *
     * @param out the channel the bytes go to
     * @throws IOException if writing fails
     */
    public void write(WritableByteChannel out) throws IOException {
        List<Entry> ordered = new ArrayList<>(tensors.values());
        ordered.sort(Comparator.comparing(Entry::dtype).reversed().thenComparing(Entry::name));
        byte[] header = header(ordered);
        ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(header.length).put(header).flip();
        writeFully(out, head);
        for (Entry e : ordered) {
            for (long at = 0; at < e.bytes().byteSize(); at += CHUNK) {
                long len = Math.min(CHUNK, e.bytes().byteSize() - at);
                writeFully(out, e.bytes().asSlice(at, len).asByteBuffer());
            }
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private byte[] header(List<Entry> ordered) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : ordered) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : e.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += e.bytes().byteSize();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        if (bytes.size() > SafetensorsFile.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would take " + bytes.size() + " bytes, over the "
                    + SafetensorsFile.MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        return bytes.toByteArray();
    }
}
