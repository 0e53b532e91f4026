package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.Models;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever the damage to a valid file's header (truncation, flipped bytes, counts and
 * lengths inflated to huge values), opening and using it either works or throws FormatException;
 * never anything else, never a hang or an out-of-memory error.
 */
@ExtendWith(Seeded.class)
class GgufFuzzTest {
    private static final long[] HUGE = {1L << 31, 1L << 32, 1L << 60, 1L << 62, Long.MAX_VALUE, -1L, Long.MIN_VALUE, 0xFFFF_FFFFL};

    @TempDir
    Path dir;

    /** Opens the image, reads everything a user would, and lets only FormatException escape. */
    private static void openAndUse(byte[] image, String what) {
        try (GgufFile g = Fixtures.openBytes(image)) {
            for (String k : g.metadata().keys()) {
                assertNotNull(g.metadata().get(k));
                g.metadata().typeOf(k);
            }
            try {
                var m = g.model();
                m.blockCount();
                m.tokens();
            } catch (FormatException expectedForMissingKeys) {
                // a mutated key name makes a required key absent: a FormatException, as it should be
            }
            for (GgufTensorInfo info : g.tensorInfos()) {
                g.tensorBytes(info.name()).get(ValueLayout.JAVA_BYTE, info.byteSize() - 1);
                if (info.isSupported()) {
                    g.tensor(info).data().get(ValueLayout.JAVA_BYTE, 0);
                }
            }
        } catch (FormatException e) {
            assertNotNull(e.field(), what);
            assertFalse(e.getMessage().isBlank(), what);
        } catch (Throwable t) {
            fail(what + ": expected only FormatException, got " + t, t);
        }
    }

    private static long headerEnd(byte[] image) {
        try (GgufFile g = Fixtures.openBytes(image)) {
            return Math.min(g.dataOffset(), image.length);
        }
    }

    private static void mutate(byte[] image, Random random, int cases, String name) {
        int header = (int) headerEnd(image);
        ByteBuffer view = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        // where a small uint64 sits there is probably a length, count, dimension or offset
        List<Integer> lengthLike = new ArrayList<>();
        for (int p = 8; p + 8 <= Math.min(header, 1 << 16); p++) { // the first 64 KiB hold every kind of field
            long v = view.getLong(p);
            if (v >= 0 && v <= 1 << 20) {
                lengthLike.add(p);
            }
        }
        for (int c = 0; c < cases; c++) {
            byte[] m;
            String what;
            switch (c % 4) {
                case 0 -> {
                    int cut = c % 8 == 0 ? random.nextInt(image.length + 1) : random.nextInt(header + 1);
                    m = Arrays.copyOf(image, cut);
                    what = name + " truncated at " + cut;
                }
                case 1 -> {
                    m = image.clone();
                    int flips = 1 + random.nextInt(4);
                    StringBuilder sb = new StringBuilder(name + " flipped");
                    for (int f = 0; f < flips; f++) {
                        int p = random.nextInt(header);
                        m[p] ^= (byte) (1 << random.nextInt(8));
                        sb.append(' ').append(p);
                    }
                    what = sb.toString();
                }
                case 2 -> {
                    m = image.clone();
                    int p = lengthLike.isEmpty() ? 8 : lengthLike.get(random.nextInt(lengthLike.size()));
                    long v = random.nextBoolean() ? HUGE[random.nextInt(HUGE.length)] : view.getLong(p) + 1 + random.nextInt(64);
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(p, v);
                    what = name + " u64 at " + p + " set to " + Long.toUnsignedString(v);
                }
                default -> {
                    m = image.clone();
                    int p = random.nextInt(Math.max(1, header - 4));
                    int v = random.nextInt(3) == 0 ? random.nextInt(64) : random.nextInt();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(p, v);
                    what = name + " u32 at " + p + " set to " + Integer.toUnsignedString(v);
                }
            }
            openAndUse(m, what);
        }
    }

    @Test
    void truncating_a_fixture_at_every_header_byte_gives_only_format_exceptions(Random random) throws IOException {
        byte[] image = Fixtures.modelFile(dir, random, 7);
        int header = (int) headerEnd(image);
        for (int cut = 0; cut <= header + 64 && cut <= image.length; cut++) {
            openAndUse(Arrays.copyOf(image, cut), "fixture truncated at " + cut);
        }
    }

    @Test
    void truncating_a_real_file_at_every_third_header_byte_gives_only_format_exceptions() throws IOException {
        byte[] image = Files.readAllBytes(Models.require("stories260K-q5_0-mix.gguf"));
        int header = (int) headerEnd(image);
        for (int cut = 0; cut <= header + 64; cut += 3) { // every third byte: fields are 1, 4 or 8 bytes long
            openAndUse(Arrays.copyOf(image, cut), "stories260K-q5_0-mix truncated at " + cut);
        }
    }

    @Test
    void mutated_fixtures_give_only_format_exceptions(Random random) throws IOException {
        mutate(Fixtures.modelFile(dir, random, 9), random, 3000, "model fixture");
        GgufWriter w = new GgufWriter().alignment(64).putArray("n", GgufArray.ofArrays(List.of(GgufArray.ofStrings(List.of("a", "bé")),
                GgufArray.ofArrays(List.of(GgufArray.ofInt32(1, 2))), GgufArray.ofBool(true))))
                .putArray("u16", GgufArray.of(GgufValueType.UINT16, List.of(1, 2, 3))).putFloat64("d", 2.5).putBool("b", true);
        w.addTensor("x", GgmlType.Q8_0, new long[] {2, 64}, sink -> sink.write(new byte[4 * 34], 0, 4 * 34));
        Path f = dir.resolve("meta.gguf");
        w.write(f);
        mutate(Files.readAllBytes(f), random, 2000, "metadata fixture");
    }

    @Test
    void mutated_real_files_give_only_format_exceptions(Random random) throws IOException {
        Path models = Models.directory().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(models != null, "real test models not found (-Dpanamax.models); skipping");
        List<Path> files;
        try (Stream<Path> a = Files.list(models); Stream<Path> b = Files.isDirectory(models.resolve("vocab")) ? Files.list(models.resolve("vocab")) : Stream.empty()) {
            files = Stream.concat(a, b).filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        for (Path p : files) {
            byte[] image = Files.readAllBytes(p);
            // a header with a 10^5-token vocabulary takes 50-300 ms to parse on a loaded 2-core machine;
            // the structure is the same as the small model headers, which get many more cases
            int cases = headerEnd(image) > 200_000 ? 3 : 40;
            mutate(image, random, cases, p.getFileName().toString());
        }
    }
}
