package dev.panamax.formats.gguf;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes GGUF version 3 files that llama.cpp reads: the header (magic, version, counts),
 * the metadata, the tensor infos, zero padding to the alignment, then each tensor's data at an
 * aligned offset followed by zero padding to the alignment (the layout of ggml's gguf.cpp and
 * gguf-py). Tensor data is streamed: nothing is read from a {@link TensorSource} before
 * {@link #write(Path)} reaches that tensor.
 *
 * <pre>{@code
 * GgufWriter w = new GgufWriter();
 * w.copyMetadata(source.metadata());          // everything, in order, then overrides:
 * w.putUInt32("general.file_type", 15);
 * w.addTensor("token_embd.weight", embedding);  // a contiguous Tensor (kept until write)
 * w.addTensor("output.weight", GgmlType.Q6_K, new long[] {vocab, dim}, sink -> ...);
 * w.write(Path.of("model-q4_k_m.gguf"));
 * }</pre>
 *
 * Keys keep the order in which they were first put; putting a key again replaces its value in place.
 * Tensors are written in the order they were added. Not thread-safe.
 */
public final class GgufWriter {
    /** Alignment llama.cpp assumes when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = GgufParser.DEFAULT_ALIGNMENT;
    /** Longest tensor name llama.cpp accepts, in UTF-8 bytes (GGML_MAX_NAME - 1). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    private record Value(GgufValueType type, Object value) {
    }

    private record PendingTensor(String name, byte[] nameUtf8, GgmlType type, long[] shape, long byteSize, TensorSource source) {
    }

    private final LinkedHashMap<String, Value> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new java.util.HashSet<>();
    private int alignment = DEFAULT_ALIGNMENT;

    /** An empty writer with alignment 32. */
    public GgufWriter() {
    }

    // ---------------------------------------------------------------- alignment

    /**
     * Sets the alignment of tensor data (a power of two); a value other than 32 is recorded as
     * {@code general.alignment}.
     *
     * @param alignment the byte boundary every tensor's data starts on
     * @return this writer
     */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1 || alignment > (1 << 30)) {
            throw new IllegalArgumentException("alignment must be a power of two between 1 and 2^30, got " + alignment);
        }
        this.alignment = alignment;
        if (alignment != DEFAULT_ALIGNMENT || metadata.containsKey(GgufParser.ALIGNMENT_KEY)) {
            metadata.put(GgufParser.ALIGNMENT_KEY, new Value(GgufValueType.UINT32, (long) alignment));
        }
        return this;
    }

    /**
     * The alignment of tensor data.
     *
     * @return the byte boundary, 32 unless set
     */
    public int alignment() {
        return alignment;
    }

    // ---------------------------------------------------------------- metadata

    /**
     * Puts {@code value} with its natural GGUF type: String, Boolean, Byte (INT8), Short (INT16),
     * Integer (INT32), Long (INT64), Float (FLOAT32), Double (FLOAT64) or {@link GgufArray}.
     * Use the typed methods for unsigned types.
     *
     * @param key   the metadata key, e.g. {@code general.architecture}; an existing key is replaced
     * @param value the value, of one of the classes above
     * @return this writer
     */
    public GgufWriter put(String key, Object value) {
        return put(key, GgufValues.typeOf(value, key), value);
    }

    /**
     * Puts {@code value} as a value of {@code type} (see {@link GgufArray#of} for what each type accepts).
     *
     * @param key   the metadata key; an existing key is replaced
     * @param type  the GGUF type written to the file
     * @param value a value that fits {@code type}
     * @return this writer
     * @throws IllegalArgumentException if the value does not fit the type, or for a bad {@code general.alignment}
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        checkKey(key);
        Object v = GgufValues.convert(type, value, key);
        if (key.equals(GgufParser.ALIGNMENT_KEY)) {
            if (type != GgufValueType.UINT32) {
                throw new IllegalArgumentException(key + " must be a UINT32, got " + type);
            }
            long a = (Long) v;
            alignment(a > Integer.MAX_VALUE ? -1 : (int) a);
            return this;
        }
        checkEncodable(v, key);
        metadata.put(key, new Value(type, v));
        return this;
    }

    /** Strings are encoded at write time; reject what cannot be encoded now, while the caller knows the key. */
    private static void checkEncodable(Object v, String key) {
        if (v instanceof String s) {
            utf8(s, key);
        } else if (v instanceof GgufArray a && (a.elementType() == GgufValueType.STRING || a.elementType() == GgufValueType.ARRAY)) {
            for (Object x : a) {
                checkEncodable(x, key);
            }
        }
    }

    /**
     * A STRING value (UTF-8 in the file).
     *
     * @param key   the metadata key
     * @param value the text
     * @return this writer
     */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    /**
     * A BOOL value.
     *
     * @param key   the metadata key
     * @param value the flag
     * @return this writer
     */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /**
     * A UINT8 value in [0, 256).
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range
     */
    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufValueType.UINT8, value);
    }

    /**
     * An INT8 value in [-128, 128).
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range
     */
    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufValueType.INT8, value);
    }

    /**
     * A UINT16 value in [0, 2^16).
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range
     */
    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufValueType.UINT16, value);
    }

    /**
     * An INT16 value in [-2^15, 2^15).
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range
     */
    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufValueType.INT16, value);
    }

    /**
     * A UINT32 value in [0, 2^32).
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range
     */
    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    /**
     * An INT32 value.
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     */
    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    /**
     * A UINT64 value given as its raw 64 bits.
     *
     * @param key   the metadata key
     * @param value the bits, read as unsigned ({@link Long#toUnsignedString(long)} shows the number)
     * @return this writer
     */
    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    /**
     * An INT64 value.
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     */
    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    /**
     * A FLOAT32 value.
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    /**
     * A FLOAT64 value.
     *
     * @param key   the metadata key
     * @param value the value
     * @return this writer
     */
    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    /**
     * An ARRAY of STRING values (a tokenizer's vocabulary, for example).
     *
     * @param key    the metadata key
     * @param values the strings, in order
     * @return this writer
     */
    public GgufWriter putStringArray(String key, List<String> values) {
        return put(key, GgufValueType.ARRAY, GgufArray.ofStrings(values));
    }

    /**
     * An ARRAY of FLOAT32 values (token scores, for example).
     *
     * @param key    the metadata key
     * @param values the values, copied
     * @return this writer
     */
    public GgufWriter putFloat32Array(String key, float[] values) {
        return put(key, GgufValueType.ARRAY, GgufArray.ofFloat32(values));
    }

    /**
     * An ARRAY of INT32 values (token types, for example).
     *
     * @param key    the metadata key
     * @param values the values, copied
     * @return this writer
     */
    public GgufWriter putInt32Array(String key, int[] values) {
        return put(key, GgufValueType.ARRAY, GgufArray.ofInt32(values));
    }

    /**
     * An array of any element type, e.g. {@code putArray(k, GgufArray.of(GgufValueType.UINT8, list))}.
     *
     * @param key    the metadata key
     * @param values the array with its element type
     * @return this writer
     */
    public GgufWriter putArray(String key, GgufArray values) {
        return put(key, GgufValueType.ARRAY, values);
    }

    /**
     * Removes {@code key} if present.
     *
     * @param key the metadata key
     * @return this writer
     */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        if (key.equals(GgufParser.ALIGNMENT_KEY)) {
            alignment = DEFAULT_ALIGNMENT;
        }
        return this;
    }

    /**
     * True if {@code key} has been put.
     *
     * @param key the metadata key
     * @return whether a value is set for it
     */
    public boolean contains(String key) {
        return metadata.containsKey(key);
    }

    /**
     * Copies every key of {@code source} with its exact type, in order (including
     * {@code general.alignment}, which sets {@link #alignment(int)}). Put keys afterwards to override them.
     *
     * @param source metadata read from a GGUF file
     * @return this writer
     */
    public GgufWriter copyMetadata(GgufMetadata source) {
        for (Map.Entry<String, GgufMetadata.Entry> e : source.entries().entrySet()) {
            put(e.getKey(), e.getValue().type(), e.getValue().value());
        }
        return this;
    }

    /**
     * Copies every key of {@code source} (as {@link #copyMetadata(GgufMetadata)}), then applies
     * {@code overrides}: each value is put with {@link #put(String, Object)}'s type rules, keeping the
     * source's type when the key exists there and the value converts to it; a null value removes the key.
     *
     * @param source    metadata read from a GGUF file
     * @param overrides keys to set or (with a null value) remove after the copy
     * @return this writer
     */
    public GgufWriter copyMetadata(GgufMetadata source, Map<String, ?> overrides) {
        copyMetadata(source);
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (v == null) {
                remove(key);
            } else if (source.contains(key) && source.typeOf(key) != GgufValueType.ARRAY && !(v instanceof GgufArray)) {
                put(key, source.typeOf(key), v);
            } else {
                put(key, v);
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- tensors

    /**
     * Adds a tensor whose bytes {@code source} produces during {@link #write(Path)}.
     *
     * @param name   the tensor's name, unique in the file (e.g. {@code blk.0.attn_q.weight})
     * @param type   the ggml type of its data
     * @param source writes exactly the tensor's bytes when the file is written
     * @return this writer
     * @param shape sizes outermost first (written reversed, as GGUF's {@code ne[]}); 1 to 4 dimensions, each at least 1,
     *              the last a multiple of the type's block size
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        byte[] utf8 = utf8(name, "tensor name");
        if (utf8.length == 0 || utf8.length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' must be 1 to " + MAX_TENSOR_NAME_BYTES + " UTF-8 bytes (llama.cpp's limit)");
        }
        if (tensorNames.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        long[] s = shape.clone();
        if (s.length < 1 || s.length > GgufParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "': GGUF tensors have 1 to 4 dimensions, got " + Arrays.toString(s));
        }
        long rows = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] < 1) {
                throw new IllegalArgumentException("tensor '" + name + "': dimensions must be at least 1, got " + Arrays.toString(s));
            }
            if (d < s.length - 1) {
                rows = Math.multiplyExact(rows, s[d]);
            }
        }
        long bytes = type.byteSizeOrMinusOne(s[s.length - 1], rows);
        if (bytes < 0) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type + ": the last dimension of " + Arrays.toString(s)
                    + " must be a multiple of " + type.blockSize() + " and the size must fit 63 bits");
        }
        tensors.add(new PendingTensor(name, utf8, type, s, bytes, source));
        tensorNames.add(name);
        return this;
    }

    /**
     * Adds a tensor of a Panamax type whose bytes {@code source} produces during {@link #write(Path)}.
     *
     * @param name   the tensor's name, unique in the file
     * @param type   the type of its data
     * @param shape  sizes outermost first, as in {@link #addTensor(String, GgmlType, long[], TensorSource)}
     * @param source writes exactly the tensor's bytes when the file is written
     * @return this writer
     */
    public GgufWriter addTensor(String name, DType type, long[] shape, TensorSource source) {
        return addTensor(name, GgmlType.of(type), shape, source);
    }

    /**
     * Adds a tensor from raw bytes in ggml layout; {@code bytes} must stay readable until {@link #write(Path)}.
     *
     * @param name  the tensor's name, unique in the file
     * @param type  the type of its data
     * @param shape sizes outermost first
     * @param bytes the data in ggml's layout, not copied
     * @return this writer
     * @throws IllegalArgumentException if {@code bytes} is not exactly the tensor's size
     */
    public GgufWriter addTensor(String name, DType type, long[] shape, MemorySegment bytes) {
        GgmlType t = GgmlType.of(type);
        addTensor(name, t, shape, sink -> sink.write(bytes));
        long expected = tensors.getLast().byteSize();
        if (bytes.byteSize() != expected) {
            tensors.removeLast();
            tensorNames.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, the segment holds " + bytes.byteSize());
        }
        return this;
    }

    /**
     * Adds a contiguous tensor of any dtype, with its shape; it must stay alive until {@link #write(Path)}.
     *
     * @param name   the tensor's name, unique in the file
     * @param tensor the data, its dtype and shape
     * @return this writer
     * @throws IllegalArgumentException if the tensor is not contiguous
     */
    public GgufWriter addTensor(String name, Tensor tensor) {
        if (!tensor.isContiguous()) {
            throw new IllegalArgumentException("tensor '" + name + "' is not contiguous (" + tensor.describe() + "); call contiguous(arena) first");
        }
        long[] shape = tensor.rank() == 0 ? new long[] {1} : tensor.shape();
        return addTensor(name, GgmlType.of(tensor.dtype()), shape, sink -> sink.write(tensor.data()));
    }

    /**
     * Adds tensor {@code name} of {@code source} unchanged (any ggml type, supported by Panamax or not).
     *
     * @param source an open GGUF file, which must stay open until {@link #write(Path)}
     * @param name   the tensor to copy, written under the same name
     * @return this writer
     */
    public GgufWriter copyTensor(GgufFile source, String name) {
        GgufTensorInfo info = source.findTensorInfo(name)
                .orElseThrow(() -> new java.util.NoSuchElementException(source.path() + ": no tensor named '" + name + "'"));
        return addTensor(name, info.type(), info.shape(), sink -> sink.write(source.tensorBytes(name)));
    }

    /**
     * Number of tensors added.
     *
     * @return the tensors added so far
     */
    public int tensorCount() {
        return tensors.size();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the file: to a temporary file next to {@code out}, renamed to {@code out} once complete,
     * so that a failure (an exception from a source, a full disk) never leaves a partial file.
     *
     * @param out the file to create or replace
     * @throws IOException if writing or renaming fails (the temporary file is removed)
     * @throws IllegalStateException if a {@link TensorSource} wrote more or fewer bytes than its tensor's size
     */
    public void write(Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory to write " + out.getFileName() + " in");
        }
        // not Files.createTempFile, which makes the file private (0600): the model file gets the
        // permissions of any new file (the umask's), like one written by llama-quantize or cp
        Path tmp = createSibling(dir, out.getFileName());
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeTo(channel);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A new empty file {@code .NAME.RANDOM.tmp} in {@code dir}, with the permissions of any new file. */
    private static Path createSibling(Path dir, Path name) throws IOException {
        while (true) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                // another writer's temporary file: draw another name
            }
        }
    }

    /**
     * Streams the file to {@code out} (which is not closed). Prefer {@link #write(Path)} for files:
     * it never leaves a partial file behind.
     *
     * @param out the channel the file's bytes go to, in order
     * @throws IOException if writing fails
     * @throws IllegalStateException if a {@link TensorSource} wrote more or fewer bytes than its tensor's size
     */
    public void write(WritableByteChannel out) throws IOException {
        writeTo(out);
    }

    private void writeTo(WritableByteChannel channel) throws IOException {
        ChannelSink sink = new ChannelSink(channel);
        sink.u32(GgufParser.MAGIC);
        sink.u32(3);
        sink.u64(tensors.size());
        sink.u64(metadata.size());
        for (Map.Entry<String, Value> e : metadata.entrySet()) {
            string(sink, utf8(e.getKey(), "key"));
            sink.u32(e.getValue().type().id());
            value(sink, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            offsets[i] = offset;
            string(sink, t.nameUtf8());
            sink.u32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) {
                sink.u64(t.shape()[d]);
            }
            sink.u32(t.type().id());
            sink.u64(offset);
            offset = GgufParser.alignUp(offset + t.byteSize(), alignment);
        }
        pad(sink);
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            sink.mark();
            t.source().writeTo(sink);
            if (sink.written() != t.byteSize()) {
                throw new IllegalStateException("the source of tensor '" + t.name() + "' (" + t.type() + " " + Arrays.toString(t.shape())
                        + ") wrote " + sink.written() + " bytes, but the tensor has " + t.byteSize());
            }
            pad(sink);
        }
        sink.flush();
    }

    private void pad(ChannelSink sink) throws IOException {
        sink.zeros(GgufParser.alignUp(sink.position(), alignment) - sink.position());
    }

    private static void string(ChannelSink sink, byte[] utf8) throws IOException {
        sink.u64(utf8.length);
        sink.bytes(utf8);
    }

    private static void value(ChannelSink sink, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> sink.u8(((Number) v).intValue());
            case UINT16, INT16 -> sink.u16(((Number) v).intValue());
            case UINT32, INT32 -> sink.u32(((Number) v).intValue());
            case UINT64, INT64 -> sink.u64(((Number) v).longValue());
            case FLOAT32 -> sink.u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> sink.u64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> sink.u8((Boolean) v ? 1 : 0);
            case STRING -> string(sink, utf8((String) v, "string value"));
            case ARRAY -> array(sink, (GgufArray) v);
        }
    }

    private static void array(ChannelSink sink, GgufArray a) throws IOException {
        sink.u32(a.elementType().id());
        sink.u64(a.size());
        int n = a.size();
        switch (a.storage()) {
            case byte[] b -> sink.write(MemorySegment.ofArray(b).asSlice(0, n));
            case short[] s -> sink.array(s, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n);
            case int[] s -> sink.array(s, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n);
            case long[] s -> sink.array(s, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n);
            case float[] s -> sink.array(s, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n);
            case double[] s -> sink.array(s, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n);
            case boolean[] s -> {
                for (int i = 0; i < n; i++) {
                    sink.u8(s[i] ? 1 : 0);
                }
            }
            case String[] s -> {
                for (int i = 0; i < n; i++) {
                    string(sink, utf8(s[i], "string array element"));
                }
            }
            case GgufArray[] s -> {
                for (int i = 0; i < n; i++) {
                    array(sink, s[i]);
                }
            }
            default -> throw new AssertionError(a.storage());
        }
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("metadata keys must not be empty");
        }
        utf8(key, "key");
    }

    /** Strict UTF-8 encoding: a string with an unpaired surrogate cannot be written. */
    private static byte[] utf8(String s, String what) {
        boolean ascii = true;
        for (int i = 0; i < s.length() && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (unpaired surrogate): " + s, e);
        }
    }
}
