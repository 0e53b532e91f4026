package dev.panamax.transformer.tokenizer.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.transformer.UnsupportedModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@code tokenizer.json} byte-level BPE vocabulary (GPT-2 style: Llama 3, Qwen, DeepSeek V3) as
 * llama.cpp's {@code tokenizer.ggml.*} keys, as {@code convert_hf_to_gguf.py} writes them: model
 * {@code gpt2}, the pre-tokenizer named by its split patterns ({@code llama-bpe}, {@code qwen2},
 * {@code deepseek-v3}, or {@code gpt-2} for the plain byte-level one), the tokens by id (added tokens
 * too; the gaps as {@code [PADn]}), their types (1 normal, 3 control for special added tokens, 4
 * user-defined for the others), the merges and the BOS / EOS ids. Other models (SentencePiece
 * Unigram, WordPiece, byte-fallback BPE) and unknown pre-tokenizers are refused by name.
 */
public final class GgufVocabularyExport {
    /** transformers' split patterns of the pre-tokenizers llama.cpp knows by name. */
    private static final Map<String, String> PRE_TOKENIZERS = Map.of(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            "llama-bpe",
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            "qwen2",
            "\\p{N}{1,3}\n[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+\n[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
            "deepseek-v3");

    private GgufVocabularyExport() {
    }

    /**
     * Adds the vocabulary of {@code tokenizerJson} to {@code out}, {@code vocabSize} tokens (the
     * model's embedding rows: ids beyond the tokenizer's are padding).
     *
     * @throws UnsupportedModelException for a tokenizer this does not convert
     * @throws FormatException for a malformed one
     */
    public static void write(Path tokenizerJson, int vocabSize, List<Integer> bos, List<Integer> eos, GgufWriter out) {
        Map<String, Object> root = object(read(tokenizerJson), tokenizerJson, "tokenizer");
        Map<String, Object> model = object(root.get("model"), tokenizerJson, "model");
        if (!"BPE".equals(model.get("type")) || Boolean.TRUE.equals(model.get("byte_fallback"))) {
            throw new UnsupportedModelException(tokenizerJson + ": model.type '" + model.get("type") + "'"
                    + (Boolean.TRUE.equals(model.get("byte_fallback")) ? " with byte_fallback" : "")
                    + " is not converted to GGUF (supported: byte-level BPE)");
        }
        String pre = preTokenizer(tokenizerJson, root.get("pre_tokenizer"));
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        Map<String, Object> vocab = object(model.get("vocab"), tokenizerJson, "model.vocab");
        vocab.forEach((token, id) -> put(tokenizerJson, tokens, types, token, id, 1));
        if (root.get("added_tokens") instanceof List<?> added) {
            for (Object o : added) {
                Map<String, Object> t = object(o, tokenizerJson, "added_tokens[]");
                put(tokenizerJson, tokens, types, (String) t.get("content"), t.get("id"), Boolean.TRUE.equals(t.get("special")) ? 3 : 4);
            }
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = 4;
            }
        }
        List<String> merges = new ArrayList<>();
        if (model.get("merges") instanceof List<?> list) {
            for (Object m : list) {
                merges.add(switch (m) {
                    case String s -> s;
                    case List<?> pair when pair.size() == 2 -> pair.get(0) + " " + pair.get(1);
                    default -> throw new FormatException(tokenizerJson, "model.merges[" + merges.size() + "]", m, "must be \"a b\" or [a, b]");
                });
            }
        }
        out.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", pre)
                .putStringArray("tokenizer.ggml.tokens", Arrays.asList(tokens)).putInt32Array("tokenizer.ggml.token_type", types)
                .putStringArray("tokenizer.ggml.merges", merges);
        if (!bos.isEmpty()) {
            out.putUInt32("tokenizer.ggml.bos_token_id", bos.getFirst());
        }
        if (!eos.isEmpty()) {
            out.putUInt32("tokenizer.ggml.eos_token_id", eos.getFirst());
        }
    }

    private static void put(Path file, String[] tokens, int[] types, String token, Object id, int type) {
        if (!(id instanceof Long l) || l < 0 || l >= tokens.length) {
            throw new FormatException(file, "token '" + token + "'", id, "must be an id below the model's " + tokens.length + " embeddings");
        }
        tokens[(int) (long) l] = token;
        types[(int) (long) l] = type;
    }

    /** llama.cpp's name for the pre-tokenizer, from its split patterns (joined by newlines) or the plain byte-level one. */
    private static String preTokenizer(Path file, Object pre) {
        Map<String, Object> p = object(pre, file, "pre_tokenizer");
        if ("ByteLevel".equals(p.get("type")) && !Boolean.FALSE.equals(p.get("use_regex"))) {
            return "gpt-2";
        }
        List<String> patterns = new ArrayList<>();
        boolean byteLevel = false;
        if ("Sequence".equals(p.get("type")) && p.get("pretokenizers") instanceof List<?> steps) {
            for (Object s : steps) {
                Map<String, Object> step = object(s, file, "pre_tokenizer.pretokenizers[]");
                if ("Split".equals(step.get("type")) && step.get("pattern") instanceof Map<?, ?> pattern
                        && pattern.get("Regex") instanceof String regex) {
                    patterns.add(regex);
                } else if ("ByteLevel".equals(step.get("type"))) {
                    byteLevel = true;
                }
            }
        }
        String name = byteLevel ? PRE_TOKENIZERS.get(String.join("\n", patterns)) : null;
        if (name == null) {
            throw new UnsupportedModelException(file + ": pre_tokenizer " + p.get("type") + " " + patterns
                    + " is not one llama.cpp knows by name (converted: byte-level alone, Llama 3's, Qwen2's, DeepSeek V3's splits)");
        }
        return name;
    }

    private static Object read(Path file) {
        try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(file))) {
            p.nextToken();
            return JsonTree.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, Path file, String field) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new FormatException(file, field, o, "must be a JSON object");
        }
        return (Map<String, Object>) m;
    }
}
