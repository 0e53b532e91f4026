package dev.panamax.transformer.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A tokenizer's vocabulary: token texts, scores and types, the text-to-id index, and the special
 * tokens, with llama.cpp's defaults and fix-ups applied (llama.cpp {@code llama_vocab::load}):
 * <ul>
 * <li>defaults: {@code llama} has BOS 1, EOS 2, unknown 0, adds BOS and a space prefix; {@code gpt2} has
 *     BOS = EOS = 11 (overridden by every real file), adds neither, except that Llama 3 style
 *     pre-tokenizers add BOS;</li>
 * <li>end-of-generation tokens: EOS, EOT, EOM and tokens named like {@code <|eot_id|>}, {@code <|im_end|>},
 *     {@code <|endoftext|>} ...; those and the fill-in-the-middle markers become control tokens;</li>
 * <li>an empty token text becomes {@code [EMPTY_<id>]}; a duplicated text maps to its last id.</li>
 * </ul>
 */
public final class Vocabulary {
    /** Texts that llama.cpp treats as end-of-generation tokens (and so as control tokens). */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>",
            "<end_of_utterance>");
    /** Texts of end-of-turn tokens, looked up when the file names none. */
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Fill-in-the-middle markers, which llama.cpp forces to control tokens. */
    private static final Set<String> FIM_TEXTS = Set.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>");
    /** Fill-in-the-middle markers that also end generation (pad, repo and file separator). */
    private static final Set<String> FIM_EOG_TEXTS = Set.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>");

    private final String model;
    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int bos;
    private final int eos;
    private final int unknown;
    private final int eot;
    private final BitSet eog = new BitSet();
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final BitSet lstrip = new BitSet();
    private final BitSet rstrip = new BitSet();
    private final int[] specialsLongestFirst;

    /**
     * The vocabulary of {@code config}, with llama.cpp's defaults for what it leaves open.
     *
     * @param config the vocabulary's data
     * @throws IllegalArgumentException for an unsupported tokenizer model or a special id outside the vocabulary
     */
    public Vocabulary(TokenizerConfig config) {
        this.model = config.model();
        boolean spm = switch (model) {
            case "llama" -> true;
            case "gpt2", "bert", "huggingface" -> false;
            default -> throw new IllegalArgumentException("unsupported tokenizer model '" + model
                    + "' (supported: llama, gpt2, bert, huggingface)");
        };
        // a tokenizer.json says itself which tokens are special; llama.cpp's fix-ups are for GGUF
        boolean ggufRules = !model.equals("huggingface");
        boolean gpt2 = model.equals("gpt2");
        int n = config.tokens().size();
        texts = new String[n];
        scores = new float[n];
        types = new TokenType[n];
        ids = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            String text = config.tokens().get(i);
            texts[i] = text == null || text.isEmpty() ? "[EMPTY_" + i + "]" : text;
            ids.put(texts[i], i);
            scores[i] = config.scores() == null ? 0f : config.scores()[i];
            types[i] = config.tokenTypes() == null ? TokenType.NORMAL : TokenType.fromGguf(config.tokenTypes()[i]);
        }
        boolean llama3Style = !spm && config.pre() != null && PreTokenizer.names().contains(config.pre())
                && PreTokenizer.forName(config.pre()).ignoresMerges();
        bos = specialId(config.bos(), spm ? 1 : gpt2 ? 11 : -1, "bos");
        eos = specialId(config.eos(), spm ? 2 : gpt2 ? 11 : -1, "eos");
        unknown = specialId(config.unknown(), spm ? 0 : -1, "unknown");
        addBos = config.addBos() != null ? config.addBos() : spm || llama3Style;
        addEos = config.addEos() != null && config.addEos();
        addSpacePrefix = config.addSpacePrefix() != null ? config.addSpacePrefix() : spm;

        int eotId = specialId(config.eot(), -1, "eot");
        int eomId = specialId(config.eom(), -1, "eom");
        if (eotId < 0) {
            eotId = EOT_TEXTS.stream().map(ids::get).filter(id -> id != null).findFirst().orElse(-1);
        }
        if (eomId < 0) {
            eomId = ids.getOrDefault("<|eom_id|>", -1);
        }
        eot = eotId;
        // a text maps to its last id, as in llama.cpp's text-to-id map that it scans for these
        for (Set<String> controls : ggufRules ? List.of(Set.copyOf(EOT_TEXTS), EOG_TEXTS, FIM_TEXTS) : List.<Set<String>>of()) {
            for (String text : controls) {
                Integer id = ids.get(text);
                if (id != null) {
                    types[id] = TokenType.CONTROL;
                }
            }
        }
        for (Set<String> endings : List.of(EOG_TEXTS, FIM_EOG_TEXTS)) {
            for (String text : endings) {
                Integer id = ids.get(text);
                if (id != null) {
                    eog.set(id);
                }
            }
        }
        for (int id : new int[] {eos, eot, eomId}) {
            if (id >= 0) {
                eog.set(id);
            }
        }
        if (eot >= 0 && ggufRules) {
            types[eot] = TokenType.CONTROL;
        }
        if (eomId >= 0 && ggufRules) {
            types[eomId] = TokenType.CONTROL;
        }

        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (types[i] == TokenType.CONTROL || types[i] == TokenType.USER_DEFINED || types[i] == TokenType.UNKNOWN) {
                specials.add(i);
            }
        }
        specials.sort(Comparator.comparingInt((Integer id) -> -texts[id].length()).thenComparingInt(id -> id));
        specialsLongestFirst = specials.stream().mapToInt(Integer::intValue).toArray();

        String name = config.modelName() == null ? "" : config.modelName().toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            // llama.cpp: Phi-3's special tokens swallow the whitespace after them, except <unk>, <s>, <|endoftext|>
            for (int id : specialsLongestFirst) {
                rstrip.set(id);
            }
            setStrip(rstrip, "</s>", true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setStrip(rstrip, t, false);
            }
        }
    }

    private void setStrip(BitSet set, String text, boolean value) {
        Integer id = ids.get(text);
        if (id != null) {
            set.set(id, value);
        }
    }

    private int specialId(Integer configured, int fallback, String what) {
        if (configured == null) {
            return fallback < texts.length ? fallback : -1;
        }
        if (configured < 0) {
            return -1;
        }
        if (configured >= texts.length) {
            throw new IllegalArgumentException(what + " token id " + configured + " is outside the vocabulary of "
                    + texts.length + " tokens");
        }
        return configured;
    }

    /** {@return {@code "llama"}, {@code "gpt2"}, {@code "bert"} (GGUF) or {@code "huggingface"} (tokenizer.json)} */
    public String model() {
        return model;
    }

    /** {@return the number of tokens} */
    public int size() {
        return texts.length;
    }

    /**
     * {@return the text of token {@code id} as stored in the vocabulary (e.g. {@code ▁the}, {@code Ġthe}, {@code
     * <0x0A>})}
     *
     * @param id a token id
     */
    public String text(int id) {
        return texts[id];
    }

    /**
     * {@return the SentencePiece score of token {@code id} (0 when the vocabulary has none)}
     *
     * @param id a token id
     */
    public float score(int id) {
        return scores[id];
    }

    /**
     * {@return the type of token {@code id}}
     *
     * @param id a token id
     */
    public TokenType type(int id) {
        return types[id];
    }

    /**
     * {@return the id of the token with exactly this text, or -1}
     *
     * @param text a token's stored text
     */
    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** {@return the beginning-of-sequence token, or -1} */
    public int bos() {
        return bos;
    }

    /** {@return the end-of-sequence token, or -1} */
    public int eos() {
        return eos;
    }

    /** {@return the unknown token, or -1} */
    public int unknown() {
        return unknown;
    }

    /** {@return the end-of-turn token, or -1} */
    public int eot() {
        return eot;
    }

    /**
     * {@return whether generating {@code id} ends generation (EOS, EOT, EOM and their look-alikes)}
     *
     * @param id a token id
     */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && eog.get(id);
    }

    /** {@return whether encoding with special tokens prepends BOS} */
    public boolean addsBos() {
        return addBos;
    }

    /** {@return whether encoding with special tokens appends EOS} */
    public boolean addsEos() {
        return addEos;
    }

    /** {@return whether SentencePiece encoding prepends a space to text at the start or after a special token} */
    public boolean addsSpacePrefix() {
        return addSpacePrefix;
    }

    /** Control, user-defined and unknown tokens, longest text first (ties by id): the order they are matched in text. */
    int[] specialsLongestFirst() {
        return specialsLongestFirst;
    }

    /** Whether whitespace before special token {@code id} is dropped when it is matched in text. */
    boolean stripsLeft(int id) {
        return lstrip.get(id);
    }

    /** Whether whitespace after special token {@code id} is dropped when it is matched in text. */
    boolean stripsRight(int id) {
        return rstrip.get(id);
    }
}
