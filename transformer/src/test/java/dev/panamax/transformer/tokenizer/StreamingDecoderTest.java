package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.Vocabs.BPE_FIRST_EXTRA;
import static dev.panamax.transformer.tokenizer.Vocabs.byteLevel;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.testing.Seeded;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Token-by-token decoding that emits only whole characters. */
@ExtendWith(Seeded.class)
class StreamingDecoderTest {
    /** Byte-level vocabulary plus "ðŁ" = the two bytes F0 9F, the first half of 😁 (F0 9F 98 81). */
    private static final Tokenizer BYTES = Tokenizer.create(byteLevel(List.of("ðŁ", "<|eot|>"), List.of())
            .tokenTypes(types(258, BPE_FIRST_EXTRA + 1)).build());
    private static final int F0_9F = BPE_FIRST_EXTRA;
    private static final int EOT = BPE_FIRST_EXTRA + 1;

    private static int[] types(int n, int control) {
        int[] t = new int[n];
        Arrays.fill(t, TokenType.NORMAL.ggufId());
        t[control] = TokenType.CONTROL.ggufId();
        return t;
    }

    @Test
    void a_four_byte_emoji_split_over_three_tokens_comes_out_whole_with_the_last() {
        StreamingDecoder d = new StreamingDecoder(BYTES);
        assertEquals("a", d.next('a'));
        assertEquals("", d.next(F0_9F));
        assertEquals("", d.next(0x98));
        assertEquals("😁", d.next(0x81));
        assertEquals("", d.finish());
    }

    @Test
    void an_incomplete_sequence_at_the_end_becomes_one_replacement_character() {
        StreamingDecoder d = new StreamingDecoder(BYTES);
        assertEquals("", d.next(F0_9F));
        assertEquals("\uFFFD", d.finish());
        assertEquals("x", d.next('x')); // the decoder starts over after finish
    }

    @Test
    void an_interrupted_sequence_becomes_a_replacement_character_before_the_next_one() {
        StreamingDecoder d = new StreamingDecoder(BYTES);
        assertEquals("", d.next(0xC3));
        assertEquals("\uFFFDa", d.next('a'));
        assertEquals("\uFFFD", d.next(0xFF)); // never valid in UTF-8
        assertEquals("", d.finish());
    }

    @Test
    void control_tokens_are_skipped_unless_rendered() {
        assertEquals("", new StreamingDecoder(BYTES).next(EOT));
        assertEquals("<|eot|>", new StreamingDecoder(BYTES, true).next(EOT));
    }

    @Test
    void the_first_sentencepiece_token_loses_its_prefixed_space() {
        Tokenizer spm = Tokenizer.create(Vocabs.spm(new Vocabs.Piece("▁Hello", -1), new Vocabs.Piece("▁world", -1)).build());
        int hello = Vocabs.SPM_FIRST_NORMAL;
        StreamingDecoder d = new StreamingDecoder(spm);
        assertEquals("Hello", d.next(hello));
        assertEquals(" world", d.next(hello + 1));
    }

    @Test
    void streamed_text_equals_decoding_all_bytes_at_once(Random random) {
        // random tokens of 1-3 bytes, mostly UTF-8 lead and continuation bytes, so sequences split,
        // complete, break and overlong in every way
        int[] interesting = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        List<String> extra = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(new byte[] {(byte) b});
        }
        for (int i = 0; i < 200; i++) {
            byte[] piece = new byte[1 + random.nextInt(3)];
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < piece.length; k++) {
                piece[k] = (byte) interesting[random.nextInt(interesting.length)];
                text.append(ByteLevel.charOf(piece[k] & 0xFF));
            }
            extra.add(text.toString());
            bytes.add(piece);
        }
        Tokenizer tok = Tokenizer.create(byteLevel(extra, List.of()).build());
        for (int round = 0; round < 300; round++) {
            int[] ids = random.ints(1 + random.nextInt(20), 0, tok.vocabSize()).toArray();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            StringBuilder streamed = new StringBuilder();
            StreamingDecoder d = new StreamingDecoder(tok);
            for (int id : ids) {
                all.writeBytes(bytes.get(id));
                String out = d.next(id);
                assertEquals(false, !out.isEmpty() && Character.isHighSurrogate(out.charAt(out.length() - 1)),
                        "a character was split");
                streamed.append(out);
            }
            streamed.append(d.finish());
            String expected = new String(all.toByteArray(), StandardCharsets.UTF_8);
            assertEquals(expected, streamed.toString(), () -> "ids " + Arrays.toString(ids));
            assertEquals(expected, tok.decode(ids));
        }
    }
}
