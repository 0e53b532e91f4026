package dev.panamax.formats.safetensors;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.RegularFiles;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A memory-mapped safetensors file.
 *
 * <pre>
 *  bytes 0..7       N, the header length (unsigned little-endian; at most 100 MB)
 *  bytes 8..8+N     JSON header: {"__metadata__": {string: string}, "name": {"dtype": "F32",
 *                   "shape": [rows, cols], "data_offsets": [begin, end]}, ...}, padded with spaces
 *  bytes 8+N..      data section: every tensor's bytes, little-endian, row-major, back to back
 * </pre>
 *
 * The header is parsed and fully validated by {@link #open}; bad input fails there with a
 * {@link FormatException} that names the file, the field and the value. Tensors are zero-copy views
 * of the mapping ({@link #tensor}), with shapes outermost first exactly as stored. Offsets are longs:
 * files beyond 2 GiB work.
 *
 * <p>Ownership: {@link #open(Path)} maps the file into an arena of its own, which {@link #close()}
 * releases; the tensors and their views die with it (access then throws {@link TensorClosedException}).
 * {@link #open(Path, Arena)} maps into the caller's arena, which keeps the mapping alive until the
 * caller closes it. Instances are safe to share between threads.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = Json.MAX_DOCUMENT_BYTES;

    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment mapping;
    private final Arena ownArena;
    private final long dataStart;
    private final SafetensorsHeader header;
    private volatile boolean closed;
    private static final System.Logger LOG = System.getLogger(SafetensorsFile.class.getName());
    /** FP8 weights converted to BF16 so far, and the memory holding them (made on first use). */
    private final Map<String, Tensor> converted = new java.util.HashMap<>();
    private Arena convertedArena;

    private SafetensorsFile(Path path, MemorySegment mapping, Arena ownArena, long dataStart, SafetensorsHeader header) {
        this.path = path;
        this.mapping = mapping;
        this.ownArena = ownArena;
        this.dataStart = dataStart;
        this.header = header;
    }

    /**
     * Maps {@code path} into an arena owned by the returned file; {@link #close()} unmaps it.
     *
     * @param path a {@code .safetensors} file
     * @return the open file; close it to unmap
     * @throws FormatException if the file is not a valid safetensors file
     * @throws UncheckedIOException if it cannot be read
     */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            return open(path, arena, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps {@code path} into {@code arena}: the mapping and every tensor live until the caller closes
     * the arena; {@link #close()} only stops this object from handing out tensors.
     *
     * @param path  a {@code .safetensors} file
     * @param arena owns the mapping; it must be shared, automatic or global for multi-threaded kernels
     * @return the open file
     * @throws FormatException if the file is not a valid safetensors file
     * @throws UncheckedIOException if it cannot be read
     */
    public static SafetensorsFile open(Path path, Arena arena) {
        return open(path, arena, null);
    }

    private static SafetensorsFile open(Path path, Arena arena, Arena ownArena) {
        MemorySegment mapping;
        try {
            RegularFiles.require(path, "a safetensors file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return parse(path, mapping, ownArena);
    }

    /**
     * Parses a file's {@code contents} (a mapping, or for tests any segment); {@code path} names it in
     * errors. {@code ownArena}, if not null, is closed by {@link #close()}.
     */
    static SafetensorsFile parse(Path path, MemorySegment mapping, Arena ownArena) {
        long size = mapping.byteSize();
        if (size < 8) {
            throw new FormatException(path, "header length", size + "-byte file",
                    "a safetensors file starts with an 8-byte header length");
        }
        long n = mapping.get(U64_LE, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new FormatException(path, "header length", Long.toUnsignedString(n),
                    "exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw new FormatException(path, "header length", n, "exceeds the " + (size - 8) + " bytes after the length");
        }
        byte[] json = mapping.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        SafetensorsHeader header = SafetensorsHeader.parse(path, json, size - 8 - n);
        return new SafetensorsFile(path, mapping, ownArena, 8 + n, header);
    }

    /**
     * A quick test for inspectors choosing a reader: true if {@code path} is a regular file whose first
     * 8 bytes are a plausible header length followed by '{'. It does not validate the header.
     *
     * @param path any path
     * @return whether the file looks like safetensors
     */
    public static boolean probe(Path path) {
        if (!java.nio.file.Files.isRegularFile(path)) {
            return false; // a named pipe would block the read below
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer start = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            while (start.hasRemaining() && channel.read(start) > 0) {
                // read until 9 bytes or end of file
            }
            if (start.hasRemaining()) {
                return false;
            }
            long n = start.getLong(0);
            return n >= 2 && n <= MAX_HEADER_BYTES && n <= channel.size() - 8 && start.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return the file that was opened} */
    public Path path() {
        return path;
    }

    /** {@return the header's {@code __metadata__} map (empty if absent), in file order} */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** {@return the tensors' names, in the order of their data} */
    public List<String> tensorNames() {
        return header.names();
    }

    /** {@return every tensor's entry, in the order of their data} */
    public List<SafetensorsTensorInfo> tensorInfos() {
        return header.tensors();
    }

    /**
     * {@return true if the file holds a tensor called {@code name}}
     *
     * @param name a tensor name, e.g. {@code model.embed_tokens.weight}
     */
    public boolean contains(String name) {
        return header.byName().containsKey(name);
    }

    /**
     * {@return the entry of tensor {@code name}, if the file holds it}
     *
     * @param name a tensor name
     */
    public Optional<SafetensorsTensorInfo> findInfo(String name) {
        return Optional.ofNullable(header.byName().get(name));
    }

    /**
     * The entry of tensor {@code name}.
     *
     * @param name a tensor name
     * @return its dtype, shape and byte range
     * @throws NoSuchElementException if there is no such tensor
     */
    public SafetensorsTensorInfo info(String name) {
        SafetensorsTensorInfo info = header.byName().get(name);
        if (info == null) {
            throw new NoSuchElementException(path + " has no tensor named " + Json.quote(name) + " (it holds "
                    + header.tensors().size() + " tensors" + (header.tensors().isEmpty() ? "" : ", e.g. "
                    + Json.quote(header.tensors().getFirst().name())) + ")");
        }
        return info;
    }

    /** {@return offset of the data section in the file: 8 plus the header length} */
    public long dataStart() {
        return dataStart;
    }

    /** {@return size of the file in bytes} */
    public long fileSize() {
        return mapping.byteSize();
    }

    /**
     * Tensor {@code name} as a zero-copy, read-only view of the mapping (writing through it throws
     * the FFM API's {@link IllegalArgumentException}; copy it with {@code contiguous(arena)} to modify).
     * U8 and BOOL tensors are viewed as I8, U16/U32/U64 as I16/I32/I64 (see {@link SafetensorsDType}).
     *
     * <p>An F8_E4M3 weight {@code X} with a scale tensor {@code X_scale_inv} (DeepSeek V3's 128 x 128
     * block scales) is the exception: it is converted to a BF16 tensor in memory once, see
     * {@link BlockScaledFp8}, and lives until {@link #close()}.
     *
     * @param name a tensor name
     * @return the tensor
     * @throws NoSuchElementException if there is no such tensor
     * @throws UnsupportedOperationException for other F8 tensors, which only {@link #readF32} decodes
     * @throws TensorClosedException after {@link #close()} or once the mapping's arena is closed
     */
    public Tensor tensor(String name) {
        SafetensorsTensorInfo info = info(name);
        if (info.dtype() == SafetensorsDType.F8_E4M3 && contains(BlockScaledFp8.scaleName(name))) {
            return convertedFp8(name, tensor(BlockScaledFp8.scaleName(name)));
        }
        if (!info.dtype().hasStorageType()) {
            throw new UnsupportedOperationException("tensor " + Json.quote(name) + " of " + path + " is " + info.dtype()
                    + ", which Panamax cannot view in place; decode it with readF32(name, arena)");
        }
        requireOpen("tensor(" + Json.quote(name) + ")");
        return Tensor.wrap(mapping, dataStart + info.begin(), info.dtype().storageType(), info.shape());
    }

    /**
     * FP8 weight {@code name} converted to BF16 with {@code scales} ({@link BlockScaledFp8}), once: the
     * tensor is kept, in memory this file frees on {@link #close()}, and handed out again.
     */
    synchronized Tensor convertedFp8(String name, Tensor scales) {
        requireOpen("tensor(" + Json.quote(name) + ")");
        Tensor t = converted.get(name);
        if (t == null) {
            if (convertedArena == null) {
                convertedArena = Arena.ofShared();
                LOG.log(System.Logger.Level.INFO, path + " stores FP8 E4M3 weights with 128x128 block scales: converting them to"
                        + " BF16 at load, 2 bytes per weight in memory (twice the file's 1)");
            }
            SafetensorsTensorInfo info = info(name);
            t = BlockScaledFp8.toBf16(path, name, info.shape(), data(name), scales, convertedArena);
            converted.put(name, t);
        }
        return t;
    }

    /**
     * {@return the raw bytes of tensor {@code name}: a read-only slice of the mapping}
     *
     * @param name a tensor name
     * @throws NoSuchElementException if there is no such tensor
     */
    public MemorySegment data(String name) {
        SafetensorsTensorInfo info = info(name);
        requireOpen("data(" + Json.quote(name) + ")");
        return mapping.asSlice(dataStart + info.begin(), info.byteSize());
    }

    /**
     * Tensor {@code name} decoded to a new contiguous F32 tensor in {@code arena}: exact for F8_E4M3,
     * F8_E5M2, F16, BF16 and integers up to 2^24 in magnitude; F64 and larger integers round to nearest.
     * Unsigned and BOOL tensors decode as their unsigned values. An FP8 weight with block scales in this
     * file ({@link BlockScaledFp8}) has them applied.
     *
     * @param name  a tensor name
     * @param arena owns the decoded copy
     * @return a new F32 tensor of the stored shape
     * @throws NoSuchElementException if there is no such tensor
     */
    public Tensor readF32(String name, Arena arena) {
        SafetensorsTensorInfo info = info(name);
        requireOpen("readF32(" + Json.quote(name) + ")");
        if (info.dtype() == SafetensorsDType.F8_E4M3 && contains(BlockScaledFp8.scaleName(name))) {
            return BlockScaledFp8.toF32(path, name, info.shape(), data(name), tensor(BlockScaledFp8.scaleName(name)), arena);
        }
        Tensor out = Tensor.allocate(arena, DType.F32, info.shape());
        F32Decoder.decode(info.dtype(), mapping, dataStart + info.begin(), out.data(), info.numel());
        return out;
    }

    /**
     * Prints the file's size, metadata and a table of its tensors (name, dtype, shape, offsets, bytes).
     *
     * @param out where the text goes
     */
    public void describe(PrintStream out) {
        out.printf(Locale.ROOT, "%s: safetensors, %d bytes (header %d, data %d), %d tensors%n", path, fileSize(),
                dataStart - 8, fileSize() - dataStart, header.tensors().size());
        if (!metadata().isEmpty()) {
            out.println("metadata:");
            metadata().forEach((k, v) -> out.printf(Locale.ROOT, "  %s = %s%n", Json.shown(k), Json.shown(v)));
        }
        int width = 4;
        for (SafetensorsTensorInfo t : header.tensors()) {
            width = Math.min(Math.max(width, t.name().length()), 64);
        }
        out.printf(Locale.ROOT, "  %-" + width + "s  %-7s  %-20s  %-28s  %s%n", "name", "dtype", "shape", "data_offsets", "bytes");
        for (SafetensorsTensorInfo t : header.tensors()) {
            out.printf(Locale.ROOT, "  %-" + width + "s  %-7s  %-20s  %-28s  %d%n", Json.shown(t.name()), t.dtype(),
                    Arrays.toString(t.shape()), "[" + t.begin() + ", " + t.end() + "]", t.byteSize());
        }
    }

    /**
     * Stops handing out tensors and, if the file owns its arena ({@link #open(Path)}), unmaps it:
     * existing tensors then throw {@link TensorClosedException} when used. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            if (convertedArena != null) {
                convertedArena.close();
            }
        }
        if (ownArena != null) {
            ownArena.close();
        }
    }

    private void requireOpen(String what) {
        if (closed || !mapping.scope().isAlive()) {
            throw new TensorClosedException(what + " of " + path);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
