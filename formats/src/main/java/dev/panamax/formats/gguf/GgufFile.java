package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.RegularFiles;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * A GGUF file (versions 2 and 3), memory-mapped read-only. The header is read and checked when
 * the file is opened; tensors are zero-copy views into the mapping, and therefore read-only
 * (writing one throws; copy it with {@code Tensor.contiguous(arena)} first).
 *
 * <pre>{@code
 * try (GgufFile gguf = GgufFile.open(path)) {
 *     ModelMetadata model = gguf.model();
 *     Tensor wq = gguf.tensor("blk.0.attn_q.weight");   // shape [n_embd, n_embd], outermost first
 * }
 * }</pre>
 *
 * <h2>Ownership</h2>
 * {@link #open(Path)} maps the file into an arena of its own, which {@link #close()} closes: every
 * tensor obtained from the file then fails with {@link TensorClosedException} (an
 * IllegalStateException). {@link #open(Path, Arena)} maps into the caller's arena, and the mapping
 * lives as long as that arena; {@code close()} then does nothing. The metadata is
 * copied to the heap and stays readable after close. Instances may be shared between threads.
 *
 * <h2>Bad files</h2>
 * A file that does not follow the format fails to open with a {@link FormatException} that names
 * the file, the field and the value. A tensor whose ggml type is real but not supported by Panamax
 * (IQ2_XXS, NVFP4, ...) does not stop the file from opening: {@link #tensor} throws
 * {@link UnsupportedTensorTypeException} for that tensor only.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena ownArena;
    private final MemorySegment mapping;
    private final GgufParser.Header header;
    private final Map<String, GgufTensorInfo> byName;
    private volatile boolean closed;

    private GgufFile(Path path, Arena ownArena, MemorySegment mapping, GgufParser.Header header) {
        this.path = path;
        this.ownArena = ownArena;
        this.mapping = mapping;
        this.header = header;
        this.byName = header.byName();
    }

    /**
     * Opens and checks {@code path}, mapping it into a new shared arena that {@link #close()} closes.
     *
     * @param path a {@code .gguf} file
     * @return the open file; close it to unmap
     * @throws FormatException if the file is not a valid GGUF v2/v3 file
     * @throws IOException if it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return open(path, arena, true);
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /**
     * Opens and checks {@code path}, mapping it into {@code arena}: the tensors live until that
     * arena is closed, and {@link #close()} does not unmap.
     *
     * @param path  a {@code .gguf} file
     * @param arena owns the mapping; shared, automatic or global for multi-threaded kernels
     * @return the open file
     * @throws FormatException if the file is not a valid GGUF v2/v3 file
     * @throws IOException if it cannot be read
     */
    public static GgufFile open(Path path, Arena arena) throws IOException {
        return open(path, arena, false);
    }

    private static GgufFile open(Path path, Arena arena, boolean owned) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(arena, "arena");
        RegularFiles.require(path, "a GGUF file");
        MemorySegment mapping;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new FormatException(path, "file size", 0, "an empty file is not a GGUF file");
            }
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
        return of(path, mapping, owned ? arena : null);
    }

    /** Parses a GGUF image that is already in memory ({@code ownArena}, if not null, is closed by close()). */
    static GgufFile of(Path name, MemorySegment image, Arena ownArena) {
        return new GgufFile(name, ownArena, image, GgufParser.parse(name, image));
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /** {@return the GGUF version, 2 or 3} */
    public int version() {
        return header.version();
    }

    /** {@return the alignment of tensor data: {@code general.alignment}, or 32 when absent} */
    public int alignment() {
        return header.alignment();
    }

    /** {@return byte offset of the data section within the file; tensor offsets are relative to it} */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** {@return size of the file in bytes} */
    public long fileSize() {
        return mapping.byteSize();
    }

    /** {@return the metadata key-value pairs (heap copies; valid after close)} */
    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** {@return the typed view of the metadata that a transformer needs} */
    public ModelMetadata model() {
        return new ModelMetadata(header.metadata());
    }

    /** {@return the tensor table, in file order} */
    public List<GgufTensorInfo> tensorInfos() {
        return header.tensors();
    }

    /**
     * {@return the tensor table entry named {@code name}, if any}
     *
     * @param name a tensor name, e.g. {@code blk.0.attn_q.weight}
     */
    public Optional<GgufTensorInfo> findTensorInfo(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The tensor named {@code name}: a view into the mapping, shape outermost first (GGUF's
     * {@code ne[]} reversed, so a matrix of {@code ne = [K, N]} has shape {@code [N, K]}).
     *
     * @param name a tensor name, e.g. {@code token_embd.weight}
     * @return the tensor, read-only
     * @throws NoSuchElementException if there is no such tensor (the message lists a few names)
     * @throws UnsupportedTensorTypeException if its ggml type has no {@link DType}
     * @throws TensorClosedException if the file was closed
     */
    public Tensor tensor(String name) {
        GgufTensorInfo info = byName.get(name);
        if (info == null) {
            throw new NoSuchElementException(path + ": no tensor named '" + name + "' among " + byName.size() + " tensors"
                    + (byName.isEmpty() ? "" : " (e.g. " + header.tensors().stream().limit(5).map(GgufTensorInfo::name).toList() + ")"));
        }
        return tensor(info);
    }

    /**
     * {@return the tensor named {@code name}, or empty if there is none (see {@link #tensor(String)})}
     *
     * @param name a tensor name
     */
    public Optional<Tensor> findTensor(String name) {
        GgufTensorInfo info = byName.get(name);
        return info == null ? Optional.empty() : Optional.of(tensor(info));
    }

    /**
     * The tensor described by {@code info}, an entry of this file's {@link #tensorInfos()}.
     *
     * @param info the tensor's entry
     * @return the tensor, a view of the mapping
     * @throws UnsupportedTensorTypeException if its ggml type has no {@link DType}
     */
    public Tensor tensor(GgufTensorInfo info) {
        DType dtype = info.dtype();
        checkOpen(info.name());
        return Tensor.wrap(mapping, header.dataOffset() + info.offset(), dtype, info.shape());
    }

    /**
     * The raw bytes of a tensor's data (any ggml type, supported or not), as a slice of the mapping.
     *
     * @param name a tensor name
     * @return its bytes in ggml's layout, read-only
     * @throws NoSuchElementException if there is no such tensor
     */
    public MemorySegment tensorBytes(String name) {
        GgufTensorInfo info = byName.get(name);
        if (info == null) {
            throw new NoSuchElementException(path + ": no tensor named '" + name + "'");
        }
        checkOpen(name);
        return mapping.asSlice(header.dataOffset() + info.offset(), info.byteSize());
    }

    /** {@return the whole file as mapped (read-only)} */
    public MemorySegment segment() {
        checkOpen("the file");
        return mapping;
    }

    /** {@return true until {@link #close()} (and while a caller's arena is open)} */
    public boolean isOpen() {
        return !closed && mapping.scope().isAlive();
    }

    /**
     * Unmaps the file if this object owns the mapping (idempotent). For a file opened into a caller's
     * arena this does nothing: the mapping lives as long as that arena.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (ownArena != null) {
                closed = true;
                ownArena.close();
            }
        }
    }

    private void checkOpen(String what) {
        if (!isOpen()) {
            throw new TensorClosedException(path + ": " + what);
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version() + ", " + metadata().size() + " keys, " + tensorInfos().size() + " tensors]";
    }
}
