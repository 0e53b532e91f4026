package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.transformer.tokenizer.hf.OnigurumaRegex;
import dev.panamax.transformer.tokenizer.hf.SequencePreTokenizer;
import dev.panamax.transformer.tokenizer.hf.SplitBehavior;
import dev.panamax.transformer.tokenizer.hf.SplitPreTokenizer;
import dev.panamax.transformer.tokenizer.hf.TextPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GGUF pre-tokenizer names of the newer model families (Qwen2/3, Llama 3, DeepSeek V3, gpt-oss)
 * split text as the Split regexes of their tokenizer.json files do: llama.cpp's rewrite of each
 * (hand-written scanners, collapsed Unicode categories) against the Hugging Face pipeline's own
 * regex engine, on text where the two must agree (ASCII words, CJK, digits, whitespace, punctuation).
 */
class GgufPreTokenizerNamesTest {
    private static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT4O = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
            + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
            + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final List<String> DEEPSEEK_V3 = List.of("\\p{N}{1,3}", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");

    private static final List<String> TEXTS = List.of(
            "Hello world", "I'm sure they'll say it's 12345 dollars.", "  leading and trailing  ", "tabs\tand\nnewlines\n\n\nend",
            "HTTPServer parseJSON camelCase XMLHttpRequest", "x = a.b(c) + d[e] // comment", "中文ABC123456 日本語のテキスト",
            "CRLF line\r\nnext\r\n", "He said: \"don't!\" -- 'QUOTED'", "path/to/file.txt and http://example.com/a?b=c",
            "1,234,567.89 and 3.14159", "emoji 🎉 party", "    indented code\n\tif (x) { return y; }", "!!!???...");

    static Stream<Arguments> names() {
        return Stream.of(Arguments.of("llama-bpe", List.of(LLAMA3)), Arguments.of("qwen2", List.of(QWEN2)),
                Arguments.of("gpt-4o", List.of(GPT4O)), Arguments.of("deepseek-v3", DEEPSEEK_V3));
    }

    @ParameterizedTest
    @MethodSource("names")
    void the_named_pre_tokenizer_splits_as_the_tokenizer_json_regexes(String name, List<String> regexes) {
        PreTokenizer pre = PreTokenizer.forName(name);
        SequencePreTokenizer hf = new SequencePreTokenizer(regexes.stream()
                .map(r -> (dev.panamax.transformer.tokenizer.hf.PreTokenizerStep) new SplitPreTokenizer(
                        new TextPattern(null, OnigurumaRegex.compile(r)), SplitBehavior.ISOLATED, false))
                .toList());
        for (String text : TEXTS) {
            List<String> expected = new ArrayList<>();
            hf.split(text, true, expected);
            assertEquals(expected, pre.split(text), () -> name + ": " + text);
        }
    }
}
