package dev.panamax.formats.gguf;

import dev.panamax.formats.FormatException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A human-readable dump of a GGUF file, in the spirit of gguf-py's gguf-dump: version and layout,
 * the typed model view, every metadata key with its type and value (long arrays shortened to their
 * first entries and count), and the tensor table with totals.
 */
public final class GgufDump {
    /** Array entries shown before "..." (gguf-dump shows a few too). */
    public static final int ARRAY_PREVIEW = 8;
    /** Characters of a string value shown before it is cut. */
    public static final int STRING_PREVIEW = 120;

    private GgufDump() {
    }

    /**
     * Writes the dump of {@code gguf} to {@code out}: its header, metadata and tensor table, as
     * gguf-py's {@code gguf-dump} does.
     *
     * @param gguf an open file
     * @param out  where the text goes
     */
    public static void print(GgufFile gguf, PrintWriter out) {
        out.printf(Locale.ROOT, "file:        %s (%,d bytes)%n", gguf.path(), gguf.fileSize());
        out.printf(Locale.ROOT, "format:      GGUF v%d, alignment %d, data section at byte %,d%n", gguf.version(), gguf.alignment(), gguf.dataOffset());
        printModel(gguf.metadata(), out);
        printMetadata(gguf.metadata(), out);
        printTensors(gguf, out);
        out.flush();
    }

    private static void printModel(GgufMetadata md, PrintWriter out) {
        if (!md.contains("general.architecture")) {
            out.println("model:       (no general.architecture)");
            return;
        }
        ModelMetadata m;
        try {
            m = new ModelMetadata(md);
        } catch (FormatException e) {
            out.println("model:       " + e.getMessage());
            return;
        }
        out.println("model:");
        row(out, "architecture", m::architecture);
        row(out, "name", () -> m.name().orElse("-"));
        row(out, "context length", m::contextLength);
        row(out, "embedding length", m::embeddingLength);
        row(out, "block count", m::blockCount);
        row(out, "feed-forward length", m::feedForwardLength);
        row(out, "heads / kv heads", () -> m.headCount() + " / " + m.headCountKv());
        row(out, "rope dimensions", m::ropeDimensionCount);
        row(out, "rope freq base", m::ropeFreqBase);
        row(out, "rope scaling", () -> m.ropeScalingType().orElse("none") + m.ropeScalingFactor().map(f -> " x" + f).orElse("")
                + (m.ropeScalingOriginalContextLength().isPresent() ? " (original context " + m.ropeScalingOriginalContextLength().getAsInt() + ")" : ""));
        row(out, "rms norm epsilon", m::rmsNormEpsilon);
        row(out, "layer norm epsilon", () -> m.layerNormEpsilon().map(String::valueOf).orElse("-"));
        row(out, "experts (used)", () -> m.expertCount() + " (" + m.expertUsedCount() + ")");
        row(out, "vocab size", m::vocabSize);
        row(out, "file type", () -> m.fileType().isPresent() ? String.valueOf(m.fileType().getAsInt()) : "-");
        row(out, "tokenizer", () -> m.tokenizerModel() + m.tokenizerPre().map(p -> " (pre " + p + ")").orElse(""));
        row(out, "special tokens", () -> "bos " + opt(m.bosTokenId()) + ", eos " + opt(m.eosTokenId()) + ", pad " + opt(m.padTokenId())
                + ", unk " + opt(m.unknownTokenId()));
    }

    private static String opt(java.util.OptionalInt v) {
        return v.isPresent() ? String.valueOf(v.getAsInt()) : "-";
    }

    /** One line of the model view; a missing or malformed key shows as its error, not as a failure of the dump. */
    private static void row(PrintWriter out, String label, Supplier<Object> value) {
        String text;
        try {
            text = String.valueOf(value.get());
        } catch (FormatException e) {
            text = "- (" + e.field() + ": " + (e.value().equals("(absent)") ? "absent" : e.value()) + ")";
        }
        out.printf(Locale.ROOT, "  %-22s %s%n", label, text);
    }

    private static void printMetadata(GgufMetadata md, PrintWriter out) {
        out.printf(Locale.ROOT, "metadata (%d keys):%n", md.size());
        int width = 8;
        for (String k : md.keys()) {
            width = Math.max(width, Math.min(k.length(), 48));
        }
        for (Map.Entry<String, GgufMetadata.Entry> e : md.entries().entrySet()) {
            GgufMetadata.Entry v = e.getValue();
            String type = v.value() instanceof GgufArray a ? "[" + a.elementType().ggufName() + "]" : v.type().ggufName();
            out.printf(Locale.ROOT, "  %-" + width + "s  %-10s %s%n", e.getKey(), type, format(v.value()));
        }
    }

    /**
     * A value as text: strings quoted and cut, arrays shortened like gguf-dump.
     *
     * @param value a metadata value as {@link GgufMetadata#get} returns it
     * @return its text
     */
    public static String format(Object value) {
        return switch (value) {
            case String s -> quote(s);
            case GgufArray a -> {
                StringBuilder sb = new StringBuilder("[");
                int shown = Math.min(a.size(), ARRAY_PREVIEW);
                for (int i = 0; i < shown; i++) {
                    sb.append(i > 0 ? ", " : "").append(format(a.get(i)));
                }
                if (a.size() > shown) {
                    sb.append(", ...");
                }
                sb.append(']');
                if (a.size() > shown) {
                    sb.append(" (").append(a.size()).append(" entries)");
                }
                yield sb.toString();
            }
            default -> String.valueOf(value);
        };
    }

    private static String quote(String s) {
        String cut = s.length() > STRING_PREVIEW ? s.substring(0, STRING_PREVIEW) : s;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        if (cut.length() < s.length()) {
            sb.append("... (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static void printTensors(GgufFile gguf, PrintWriter out) {
        List<GgufTensorInfo> infos = gguf.tensorInfos();
        out.printf(Locale.ROOT, "tensors (%d):%n", infos.size());
        if (infos.isEmpty()) {
            return;
        }
        int width = 4;
        for (GgufTensorInfo t : infos) {
            width = Math.max(width, t.name().length());
        }
        out.printf(Locale.ROOT, "  %5s  %-" + width + "s  %-8s %-22s %14s %14s %14s%n", "index", "name", "type", "shape", "elements", "offset", "bytes");
        long elements = 0;
        long bytes = 0;
        Map<String, long[]> byType = new TreeMap<>();
        for (GgufTensorInfo t : infos) {
            out.printf(Locale.ROOT, "  %5d  %-" + width + "s  %-8s %-22s %,14d %,14d %,14d%s%n", t.index(), t.name(), t.type(),
                    Arrays.toString(t.shape()), t.numel(), t.offset(), t.byteSize(), t.isSupported() ? "" : "  (not supported by Panamax)");
            elements += t.numel();
            bytes += t.byteSize();
            long[] agg = byType.computeIfAbsent(t.type().name(), k -> new long[3]);
            agg[0]++;
            agg[1] += t.numel();
            agg[2] += t.byteSize();
        }
        out.printf(Locale.ROOT, "totals: %d tensors, %,d elements, %,d bytes of tensor data (%.1f%% of the file), %.2f bits per element%n",
                infos.size(), elements, bytes, 100.0 * bytes / gguf.fileSize(), 8.0 * bytes / Math.max(1, elements));
        for (Map.Entry<String, long[]> e : byType.entrySet()) {
            long[] a = e.getValue();
            out.printf(Locale.ROOT, "  %-8s %4d tensors, %,14d elements, %,14d bytes%n", e.getKey(), a[0], a[1], a[2]);
        }
    }
}
