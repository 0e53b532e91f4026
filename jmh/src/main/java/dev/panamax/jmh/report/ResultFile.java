package dev.panamax.jmh.report;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark run as stored on disk: the machine, notes on what was skipped and why, JMH's raw
 * JSON results unchanged (under {@code "jmh"}), and a peer engine's end-to-end figures measured in
 * the same run (under {@code "peers"}; empty when none ran).
 *
 * @param machine where it ran
 * @param profile "quick" or "full"
 * @param notes   skipped baselines, missing backends, data substitutes...
 * @param jmh     JMH's result entries as parsed JSON
 * @param peers   llama.cpp's tokens/s on the same synthetic models
 */
public record ResultFile(MachineInfo machine, String profile, List<String> notes, List<Object> jmh, List<PeerResult> peers) {

    /** Copies the lists, so that the record stays immutable. */
    public ResultFile {
        notes = List.copyOf(notes);
        jmh = java.util.Collections.unmodifiableList(new ArrayList<>(jmh));
        peers = List.copyOf(peers);
    }

    /**
     * A run without peer results.
     *
     * @param machine where it ran
     * @param profile "quick" or "full"
     * @param notes   skipped baselines, missing backends, data substitutes...
     * @param jmh     JMH's result entries as parsed JSON
     */
    public ResultFile(MachineInfo machine, String profile, List<String> notes, List<Object> jmh) {
        this(machine, profile, notes, jmh, List.of());
    }

    /**
     * A result set made of records rather than raw JMH output (tests, tools).
     *
     * @param machine where it ran
     * @param profile "quick" or "full"
     * @param notes   notes on the run
     * @param records the results
     * @return the result file
     */
    public static ResultFile of(MachineInfo machine, String profile, List<String> notes, List<BenchRecord> records) {
        return new ResultFile(machine, profile, notes, new ArrayList<>(records.stream().map(BenchRecord::toJmh).toList()));
    }

    /**
     * JMH's raw result array as written by {@code -rf json}.
     *
     * @param jmhJson JMH's JSON output file
     * @return its entries, parsed
     * @throws IOException if it cannot be read or is not a JSON array
     */
    public static List<Object> readJmhArray(Path jmhJson) throws IOException {
        try (Reader in = Files.newBufferedReader(jmhJson, StandardCharsets.UTF_8)) {
            Object v = Json.read(in);
            if (!(v instanceof List<?> list)) {
                throw new IOException(jmhJson + ": JMH results must be a JSON array");
            }
            return new ArrayList<>(list);
        }
    }

    /** {@return every result, parsed} */
    public List<BenchRecord> records() {
        List<BenchRecord> out = new ArrayList<>();
        for (Object o : jmh) {
            out.add(BenchRecord.fromJmh((Map<?, ?>) o));
        }
        return out;
    }

    /**
     * Writes the run as JSON (format {@code panamax-bench-1}), which {@link #read} reads back.
     *
     * @param file the file to write
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "panamax-bench-1");
        root.put("profile", profile);
        root.put("machine", machine.toJson());
        root.put("notes", new ArrayList<Object>(notes));
        root.put("jmh", new ArrayList<>(jmh));
        root.put("peers", new ArrayList<Object>(peers.stream().map(PeerResult::toJson).toList()));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            Json.write(root, out);
        }
    }

    /**
     * Reads a file written by {@link #write}; fails with the file's name when it is not one.
     *
     * @param file a results.json
     * @return the run
     * @throws IOException if it cannot be read or is not such a file
     */
    public static ResultFile read(Path file) throws IOException {
        Object v;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            v = Json.read(in);
        } catch (IOException e) {
            throw new IOException(file + ": not a readable JSON file: " + e.getMessage(), e);
        }
        if (!(v instanceof Map<?, ?> root) || !(root.get("machine") instanceof Map<?, ?> machine)
                || !(root.get("jmh") instanceof List<?> jmh)) {
            throw new IOException(file + ": not a Panamax benchmark result (expected an object with 'machine' and 'jmh')");
        }
        List<String> notes = new ArrayList<>();
        if (root.get("notes") instanceof List<?> n) {
            n.forEach(x -> notes.add(String.valueOf(x)));
        }
        List<PeerResult> peers = new ArrayList<>();
        if (root.get("peers") instanceof List<?> p) {
            for (Object o : p) {
                if (o instanceof Map<?, ?> m) {
                    peers.add(PeerResult.fromJson(m));
                }
            }
        }
        return new ResultFile(MachineInfo.fromJson(machine), String.valueOf(root.get("profile")), notes, new ArrayList<>(jmh), peers);
    }
}
