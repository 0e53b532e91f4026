package dev.panamax.formats.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds GGUF bytes field by field, so tests can write exactly the malformed header they need. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version, tensor count and kv count. */
    static RawGguf header(int version, long tensorCount, long kvCount) {
        RawGguf g = new RawGguf();
        g.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensorCount).u64(kvCount);
        return g;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RawGguf u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    RawGguf raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf str(String s) {
        return str(s.getBytes(StandardCharsets.UTF_8));
    }

    RawGguf str(byte[] utf8) {
        return u64(utf8.length).raw(utf8);
    }

    /** A key and its type tag; the value follows. */
    RawGguf key(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    RawGguf kvString(String key, String value) {
        return key(key, GgufValueType.STRING).str(value);
    }

    RawGguf kvU32(String key, long value) {
        return key(key, GgufValueType.UINT32).u32(value);
    }

    /** A tensor info; {@code ne} innermost first, as stored. */
    RawGguf tensor(String name, int type, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long n : ne) {
            u64(n);
        }
        return u32(type).u64(offset);
    }

    RawGguf padTo(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    RawGguf zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
