package dev.panamax.formats.safetensors;

/** A strict UTF-8 validator (no overlong forms, no surrogates, nothing above U+10FFFF), allocation-free. */
final class Utf8 {
    private Utf8() {}

    /** The index of the first byte of the first invalid sequence in {@code b}, or -1 if all is valid. */
    static int firstInvalid(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int length;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                return i;
            }
            if (i + length > b.length) {
                return i;
            }
            int cp = c & (0x7F >> length);
            for (int k = 1; k < length; k++) {
                int cont = b[i + k] & 0xFF;
                if ((cont & 0xC0) != 0x80) {
                    return i;
                }
                cp = cp << 6 | (cont & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return i;
            }
            i += length;
        }
        return -1;
    }
}
