package dev.panamax.formats;

import dev.panamax.formats.gguf.GgufDump;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.formats.safetensors.SafetensorsTensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints what a model file contains: its format, layout, metadata and tensor table. The format is
 * recognized by the file's first bytes, not its name.
 *
 * <p>Extension point: each format is a {@link FileFormat} in {@link #FORMATS}; to support another
 * format, add one whose {@code recognizes} looks at the file's first bytes and whose
 * {@code inspect} prints it.
 */
public final class Inspector {
    /** A format the inspector can print. */
    public interface FileFormat {
        /** {@return a short name, e.g. "GGUF"} */
        String name();

        /**
         * {@return true if a file starting with {@code head} (up to 16 bytes; fewer for tiny files) is in this
         * format}
         *
         * @param head the file's first bytes
         */
        boolean recognizes(byte[] head);

        /**
         * Prints the file: its metadata and a table of its tensors.
         *
         * @param file a file this format recognizes
         * @param out  where the text goes
         * @throws IOException if the file cannot be read
         */
        void inspect(Path file, PrintWriter out) throws IOException;
    }

    /** GGUF: the magic "GGUF". */
    private static final FileFormat GGUF = new FileFormat() {
        @Override
        public String name() {
            return "GGUF";
        }

        @Override
        public boolean recognizes(byte[] head) {
            return head.length >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F';
        }

        @Override
        public void inspect(Path file, PrintWriter out) throws IOException {
            try (GgufFile g = GgufFile.open(file)) {
                GgufDump.print(g, out);
            }
        }
    };

    /**
     * safetensors: a little-endian uint64 header length, then a JSON object. The safetensors reader
     * prints its own table; totals are added here.
     */
    private static final FileFormat SAFETENSORS = new FileFormat() {
        @Override
        public String name() {
            return "safetensors";
        }

        @Override
        public boolean recognizes(byte[] head) {
            if (head.length < 9) {
                return false;
            }
            long length = 0;
            for (int i = 7; i >= 0; i--) {
                length = (length << 8) | (head[i] & 0xFF);
            }
            return length > 1 && length < (1L << 40) && head[8] == '{';
        }

        @Override
        public void inspect(Path file, PrintWriter out) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            long elements = 0;
            long bytes = 0;
            int count;
            try (SafetensorsFile f = SafetensorsFile.open(file); PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
                f.describe(ps);
                for (SafetensorsTensorInfo t : f.tensorInfos()) {
                    elements += t.numel();
                    bytes += t.byteSize();
                }
                count = f.tensorInfos().size();
            }
            out.print(text.toString(StandardCharsets.UTF_8));
            out.printf(Locale.ROOT, "totals: %d tensors, %,d elements, %,d bytes of tensor data%n", count, elements, bytes);
        }
    };

    /** The formats tried, in order. */
    static final List<FileFormat> FORMATS = List.of(GGUF, SAFETENSORS);

    private Inspector() {
    }

    /**
     * Prints {@code file} to {@code out} (UTF-8).
     *
     * @param file a GGUF or safetensors file, or a sharded checkpoint's index
     * @param out  where the text goes
     * @throws FormatException if the file is in no known format, or is malformed
     * @throws IOException if it cannot be read
     */
    public static void inspect(Path file, PrintStream out) throws IOException {
        PrintWriter w = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        inspect(file, w);
        w.flush();
    }

    /**
     * Prints {@code file} to {@code out}.
     *
     * @param file a GGUF or safetensors file, or a sharded checkpoint's index
     * @param out  where the text goes
     * @throws FormatException if the file is in no known format, or is malformed
     * @throws IOException if it cannot be read
     */
    public static void inspect(Path file, PrintWriter out) throws IOException {
        detect(file).inspect(file, out);
        out.flush();
    }

    /**
     * The format of {@code file}, judged by its first bytes.
     *
     * @param file the file to look at
     * @return the format that recognizes its first bytes
     * @throws IOException if it cannot be read
     * @throws FormatException if no known format matches
     */
    public static FileFormat detect(Path file) throws IOException {
        byte[] head;
        RegularFiles.require(file, "a model file");
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        }
        for (FileFormat f : FORMATS) {
            if (f.recognizes(head)) {
                return f;
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%02x", head[i] & 0xFF));
        }
        throw new FormatException(file, "magic", "0x" + hex, "not a model file Panamax knows (GGUF or safetensors)");
    }
}
