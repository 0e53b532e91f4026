package dev.panamax.transformer.tokenizer.hf;

import dev.panamax.transformer.tokenizer.ByteLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ByteLevel}: optionally a space before each piece that lacks one ({@code add_prefix_space}),
 * optionally GPT-2's word split ({@code use_regex}), then each word's UTF-8 bytes as GPT-2's byte
 * characters (the alphabet byte-level BPE vocabularies are written in).
 */
public record ByteLevelPreTokenizer(boolean addPrefixSpace, boolean useRegex) implements PreTokenizerStep {
    private static final Pattern GPT2 = OnigurumaRegex.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    @Override
    public void split(String piece, boolean first, List<String> out) {
        if (addPrefixSpace && !piece.startsWith(" ")) {
            piece = " " + piece;
        }
        List<String> words = new ArrayList<>();
        if (useRegex) {
            SplitBehavior.ISOLATED.split(piece, new TextPattern(null, GPT2).find(piece), false, words);
        } else {
            words.add(piece);
        }
        for (String w : words) {
            out.add(ByteLevel.encode(w));
        }
    }
}
