package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.Seeded;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever is done to a valid file, opening and reading it either works or throws a
 * {@link FormatException}; never another exception, a crash, a hang or a huge allocation.
 */
@ExtendWith(Seeded.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SafetensorsFuzzTest {
    private static final int CASES = 300;
    private static final String[] FRAGMENTS = {"{", "}", "[", "]", "\"", ",", ":", "-1", "1e999", "0.5", "null", "true",
            "\\u0000", "\\ud800", "18446744073709551616", "9223372036854775807", "\"__metadata__\"", "\"dtype\"",
            "\"shape\"", "\"data_offsets\"", "\"F8_E4M3\"", "\"BOOL\"", "[0,0]", "[]"};

    @TempDir
    Path dir;
    private int cases;

    private static byte[] valid(Random random) {
        return Fixtures.randomFileBytes(random);
    }

    private static int headerLength(byte[] file) {
        return (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /**
     * Parses and fully reads {@code bytes}; anything thrown but a FormatException fails the test.
     * Most cases parse from memory (the same code path as a mapped file, without the disk); every
     * tenth goes through a real file and its mapping.
     */
    private void check(byte[] bytes, String mutation) {
        boolean viaFile = ++cases % 10 == 0;
        Path file = viaFile ? Fixtures.write(dir.resolve("mutant.safetensors"), bytes) : Path.of("mutant.safetensors");
        try (Arena arena = Arena.ofConfined();
                SafetensorsFile f = viaFile ? SafetensorsFile.open(file, arena)
                        : SafetensorsFile.parse(file, MemorySegment.ofArray(bytes), null)) {
            for (SafetensorsTensorInfo info : f.tensorInfos()) {
                if (info.dtype().hasStorageType()) {
                    f.tensor(info.name()).toFloatArray();
                }
                f.readF32(info.name(), arena);
            }
            f.describe(new PrintStream(OutputStream.nullOutputStream()));
        } catch (FormatException expected) {
            if (System.getProperty("show") != null && cases % 37 == 0) System.out.println("MSG " + expected.getMessage());
        } catch (Throwable t) {
            fail(mutation + " threw " + t + " for " + preview(bytes), t);
        }
    }

    private static void assertFormatException(byte[] bytes, String mutation) {
        assertThrows(FormatException.class,
                () -> SafetensorsFile.parse(Path.of("mutant.safetensors"), MemorySegment.ofArray(bytes), null), mutation);
    }

    private static String preview(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 8)) + " "
                + new String(bytes, 8, Math.max(0, Math.min(bytes.length - 8, 400)), StandardCharsets.ISO_8859_1);
    }

    @Test
    void every_truncation_fails_with_a_format_exception(Random random) {
        byte[] file = valid(random);
        for (int length = 0; length < file.length; length++) {
            assertFormatException(Arrays.copyOf(file, length), "cut at " + length);
        }
        for (int i = 0; i < 10; i++) { // and through real files
            Path p = Fixtures.write(dir.resolve("cut.safetensors"), Arrays.copyOf(file, random.nextInt(file.length)));
            assertThrows(FormatException.class, () -> SafetensorsFile.open(p).close(), "cut file " + p);
        }
    }

    @Test
    void flipped_bits_in_the_length_fail_cleanly(Random random) {
        for (int i = 0; i < CASES; i++) {
            byte[] file = valid(random);
            int bit = random.nextInt(64);
            file[bit / 8] ^= (byte) (1 << (bit % 8));
            check(file, "flipping length bit " + bit);
        }
    }

    @Test
    void huge_header_lengths_fail_cleanly(Random random) {
        byte[] file = valid(random);
        for (long length : new long[] {1L << 60, Long.MAX_VALUE, -1, 1L << 32, 100_000_000, 100_000_001, file.length}) {
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            Path p = Fixtures.write(dir.resolve("huge.safetensors"), file);
            assertThrows(FormatException.class, () -> SafetensorsFile.open(p).close(), "length " + length);
        }
    }

    @Test
    void random_bytes_in_the_header_fail_cleanly_or_parse(Random random) {
        for (int i = 0; i < CASES; i++) {
            byte[] file = valid(random);
            int n = headerLength(file);
            int changes = 1 + random.nextInt(3);
            StringBuilder what = new StringBuilder("setting header bytes");
            for (int c = 0; c < changes; c++) {
                int at = 8 + random.nextInt(n);
                file[at] = (byte) random.nextInt(256);
                what.append(' ').append(at).append("=").append(file[at] & 0xFF);
            }
            check(file, what.toString());
        }
    }

    @Test
    void json_fragments_spliced_into_the_header_fail_cleanly_or_parse(Random random) {
        for (int i = 0; i < CASES; i++) {
            byte[] file = valid(random);
            int n = headerLength(file);
            String header = new String(file, 8, n, StandardCharsets.UTF_8);
            String fragment = FRAGMENTS[random.nextInt(FRAGMENTS.length)];
            int at = random.nextInt(n + 1);
            int cut = random.nextInt(4) == 0 ? Math.min(n - at, random.nextInt(8)) : 0;
            String mutated = header.substring(0, at) + fragment + header.substring(at + cut);
            check(withHeader(file, n, mutated.getBytes(StandardCharsets.UTF_8)), "splicing " + fragment + " at " + at);
        }
    }

    @Test
    void deep_nesting_and_duplicate_keys_fail_cleanly(Random random) {
        for (int i = 0; i < 40; i++) {
            byte[] file = valid(random);
            int n = headerLength(file);
            String header = new String(file, 8, n, StandardCharsets.UTF_8).strip();
            int depth = 1 + random.nextInt(200_000);
            String open = random.nextBoolean() ? "[".repeat(depth) : "{\"a\":".repeat(depth);
            String close = open.startsWith("[") ? "]".repeat(depth) : "}".repeat(depth);
            int at = header.indexOf(':') + 1; // replace the first value (metadata or a tensor)
            String nested = header.substring(0, at) + open + close + "," + header.substring(at);
            check(withHeader(file, n, nested.getBytes(StandardCharsets.UTF_8)), "nesting " + depth);
            int firstEntryEnd = header.indexOf("}") + 1;
            String entry = header.substring(1, firstEntryEnd);
            String duplicated = "{" + entry + "," + header.substring(1);
            byte[] mutant = withHeader(file, n, duplicated.getBytes(StandardCharsets.UTF_8));
            assertFormatException(mutant, "duplicate " + entry);
        }
    }

    @Test
    void invalid_utf8_in_names_fails_cleanly(Random random) {
        for (int i = 0; i < CASES; i++) {
            byte[] file = valid(random);
            int n = headerLength(file);
            String header = new String(file, 8, n, StandardCharsets.UTF_8);
            int at = header.indexOf("layers.") + 1 + random.nextInt(6);
            byte[] bad = new byte[1 + random.nextInt(3)];
            for (int b = 0; b < bad.length; b++) {
                bad[b] = (byte) (0x80 + random.nextInt(128));
            }
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            byte[] mutated = new byte[h.length + bad.length];
            System.arraycopy(h, 0, mutated, 0, at);
            System.arraycopy(bad, 0, mutated, at, bad.length);
            System.arraycopy(h, at, mutated, at + bad.length, h.length - at);
            check(withHeader(file, n, mutated), "inserting " + HexFormat.of().formatHex(bad) + " at " + at);
        }
    }

    /** {@code file} with its header replaced by {@code header} (and the length updated). */
    private static byte[] withHeader(byte[] file, int oldLength, byte[] header) {
        ByteBuffer b = ByteBuffer.allocate(file.length - oldLength + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(file, 8 + oldLength, file.length - 8 - oldLength);
        return b.array();
    }
}
