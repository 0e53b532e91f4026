package dev.panamax.transformer.tokenizer;

/**
 * Decodes tokens one at a time into text, as generation produces them. A token can end in the middle
 * of a UTF-8 sequence (byte tokens, byte-level BPE); such bytes are held back until the character is
 * complete, so every returned string holds only whole characters. Bytes that cannot form valid UTF-8
 * become U+FFFD exactly as {@code new String(bytes, StandardCharsets.UTF_8)} replaces them, and
 * {@link #finish()} turns a sequence left incomplete at the end into U+FFFD.
 *
 * <p>Like {@link Tokenizer#decode(int[])}, control and unknown tokens are skipped unless
 * {@code renderSpecial} is set, and the first token loses the space SentencePiece encoding put in front.
 * The concatenation of all {@link #next(int)} results and {@link #finish()} equals
 * {@code decode(ids)}. Not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final byte[] pending = new byte[4];
    private int pendingCount;
    private int expected;
    private boolean first = true;

    /**
     * A decoder that skips control and unknown tokens.
     *
     * @param tokenizer gives each token's bytes
     */
    public StreamingDecoder(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    /**
     * A decoder that writes control and unknown tokens as their text when {@code renderSpecial}.
     *
     * @param tokenizer     gives each token's bytes
     * @param renderSpecial true to write control and unknown tokens out
     */
    public StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /**
     * {@return adds token {@code id} and returns the characters it completes (possibly none)}
     *
     * @param id the next token
     */
    public String next(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        TokenType type = tokenizer.vocabulary().type(id);
        boolean skip = !renderSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN);
        int from = 0;
        if (first && tokenizer.addsSpacePrefix() && !skip && bytes.length > 0 && bytes[0] == ' ') {
            from = 1;
        }
        first = false;
        if (skip) {
            return "";
        }
        StringBuilder out = new StringBuilder(bytes.length);
        for (int i = from; i < bytes.length; i++) {
            accept(bytes[i] & 0xFF, out);
        }
        return out.toString();
    }

    /**
     * Ends the stream: an incomplete trailing sequence becomes U+FFFD. The decoder can then start anew.
     *
     * @return the rest of the text, possibly empty
     */
    public String finish() {
        String rest = pendingCount > 0 ? "\uFFFD" : "";
        pendingCount = 0;
        expected = 0;
        first = true;
        return rest;
    }

    private void accept(int b, StringBuilder out) {
        if (pendingCount > 0) {
            if (continues(b)) {
                pending[pendingCount++] = (byte) b;
                if (pendingCount == expected) {
                    int cp = codePoint();
                    // an encoded surrogate is one malformed sequence, as the JDK's decoder counts it
                    out.appendCodePoint(cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
                    pendingCount = 0;
                }
                return;
            }
            out.append('\uFFFD'); // the sequence so far is a maximal invalid subpart
            pendingCount = 0;
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xF4) {
            pending[0] = (byte) b;
            pendingCount = 1;
            expected = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        } else {
            out.append('\uFFFD');
        }
    }

    /** Whether {@code b} can extend the pending sequence (no overlongs, nothing above U+10FFFF). */
    private boolean continues(int b) {
        if ((b & 0xC0) != 0x80) {
            return false;
        }
        if (pendingCount == 1) {
            int lead = pending[0] & 0xFF;
            return switch (lead) {
                case 0xE0 -> b >= 0xA0;
                case 0xF0 -> b >= 0x90;
                case 0xF4 -> b <= 0x8F;
                default -> true;
            };
        }
        return true;
    }

    private int codePoint() {
        int lead = pending[0] & 0xFF;
        int cp = lead & (expected == 2 ? 0x1F : expected == 3 ? 0x0F : 0x07);
        for (int i = 1; i < expected; i++) {
            cp = (cp << 6) | (pending[i] & 0x3F);
        }
        return cp;
    }
}
