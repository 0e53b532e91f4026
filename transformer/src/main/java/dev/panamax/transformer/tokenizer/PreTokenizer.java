package dev.panamax.transformer.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The splitting of text into words before byte-level BPE, selected by GGUF's
 * {@code tokenizer.ggml.pre} and reproducing llama.cpp's pre-tokenizer of the same name.
 *
 * <p>A pre-tokenizer is a sequence of rules; each rule cuts every chunk left by the rule before it.
 * GPT-2's and Llama 3's patterns are hand-written scanners (as in llama.cpp, see {@link Gpt2Split},
 * {@link Llama3Split}); the others are regular expressions matched with llama.cpp's semantics (see
 * {@link RegexSplit}). Supported names, with the models that use them:
 * <ul>
 * <li>{@code default}: llama.cpp's fallback for BPE vocabularies without a known name;</li>
 * <li>{@code gpt-2} (also {@code mpt}, {@code olmo}, {@code phi-2}, {@code jais}, ...);</li>
 * <li>{@code llama-bpe} (Llama 3; also {@code llama3}, {@code llama-v3}, {@code falcon3}, {@code pixtral},
 *     {@code dbrx}, {@code smaug-bpe}), whose vocabularies also skip merging for words that are whole
 *     tokens ({@link #ignoresMerges()});</li>
 * <li>{@code qwen2} (also {@code stablelm2}, {@code deepseek-r1-qwen}, {@code megrez});</li>
 * <li>{@code deepseek-llm}, {@code deepseek-coder}, {@code deepseek-v3} (DeepSeek V3/R1), {@code falcon};</li>
 * <li>{@code gpt-4o} (gpt-oss's o200k_harmony; also {@code llama4});</li>
 * <li>{@code starcoder} (also {@code refact}, {@code command-r}, {@code smollm}, {@code codeshell},
 *     {@code exaone}, {@code minerva-7b});</li>
 * <li>{@code poro-chat} (also {@code bloom}, {@code gpt3-finnish}) and {@code viking}.</li>
 * </ul>
 */
public final class PreTokenizer {
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** DeepSeek LLM's letters: the cased letters of its tokenizer.json, as code point ranges. */
    private static final String DEEPSEEK_LETTERS = "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}"
            + "\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}"
            + "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}";
    /** CJK ideographs, the blocks before them from U+0800, and Hangul, as DeepSeek's tokenizers group them. */
    private static final String DEEPSEEK_CJK = "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    private static final String PORO = " ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{0964}\\x{06D4}\\x{060C})]+";

    private static final Map<String, Supplier<PreTokenizer>> BY_NAME = new LinkedHashMap<>();

    static {
        define(() -> new PreTokenizer("default", false, List.of(
                new RegexSplit("[\\p{P}\\$\\+<=>\\^~\\|]+"), Gpt2Split.INSTANCE,
                new RegexSplit("\\p{N}+"), new RegexSplit("[0-9][0-9][0-9]"))), "default");
        define(() -> new PreTokenizer("gpt-2", false, List.of(Gpt2Split.INSTANCE)),
                "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
                "mellum", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4");
        define(() -> new PreTokenizer("llama-bpe", true, List.of(Llama3Split.INSTANCE)),
                "llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2");
        define(() -> new PreTokenizer("dbrx", false, List.of(Llama3Split.INSTANCE)), "dbrx", "smaug-bpe");
        define(() -> new PreTokenizer("qwen2", false, List.of(new RegexSplit(QWEN2))),
                "qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2", "hunyuan", "grok-2");
        define(() -> new PreTokenizer("deepseek-llm", false, List.of(
                new RegexSplit("[\r\n]"),
                new RegexSplit("\\s?[" + DEEPSEEK_LETTERS + "]+"),
                new RegexSplit("\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+"),
                new RegexSplit("\\s+\\z"), // std::regex's $ is the end of the chunk only
                new RegexSplit(DEEPSEEK_CJK),
                new RegexSplit("\\p{N}+"))), "deepseek-llm");
        define(() -> new PreTokenizer("deepseek-coder", false, List.of(
                new RegexSplit("[\r\n]"),
                new RegexSplit("\\s?\\p{L}+"),
                new RegexSplit("\\s?\\p{P}+"),
                new RegexSplit(DEEPSEEK_CJK),
                new RegexSplit("\\p{N}"))), "deepseek-coder");
        define(() -> new PreTokenizer("deepseek-v3", false, List.of(
                new RegexSplit("\\p{N}{1,3}"),
                new RegexSplit("[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+"),
                new RegexSplit("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                        + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"))), "deepseek-v3");
        // llama.cpp's std::regex rewrite of GPT-4o's cased-letter classes: a letter that is not a-z
        // (resp. A-Z); on the collapsed text every non-ASCII letter counts as both
        define(() -> new PreTokenizer("gpt-4o", false, List.of(new RegexSplit(
                "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
                        + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
                        + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"))),
                "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2");
        define(() -> new PreTokenizer("falcon", false, List.of(
                new RegexSplit("[\\p{P}\\$\\+<=>\\^~\\|`]+"), Gpt2Split.INSTANCE,
                new RegexSplit("[0-9][0-9][0-9]"))), "falcon");
        define(() -> new PreTokenizer("starcoder", false, List.of(new RegexSplit("\\p{N}"), Gpt2Split.INSTANCE)),
                "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b");
        define(() -> new PreTokenizer("poro-chat", false, List.of(new RegexSplit(PORO))),
                "poro-chat", "bloom", "gpt3-finnish");
        define(() -> new PreTokenizer("viking", false, List.of(new RegexSplit(PORO), new RegexSplit("\\p{N}"))),
                "viking");
    }

    private static void define(Supplier<PreTokenizer> factory, String... names) {
        for (String name : names) {
            BY_NAME.put(name, factory);
        }
    }

    private final String name;
    private final boolean ignoresMerges;
    private final List<SplitRule> rules;

    private PreTokenizer(String name, boolean ignoresMerges, List<SplitRule> rules) {
        this.name = name;
        this.ignoresMerges = ignoresMerges;
        this.rules = rules;
    }

    /**
     * The pre-tokenizer llama.cpp uses for {@code tokenizer.ggml.pre = name}.
     *
     * @param name the value of {@code tokenizer.ggml.pre}, e.g. {@code "llama-bpe"}
     * @return the pre-tokenizer
     * @throws IllegalArgumentException if the name is not one of {@link #names()}
     */
    public static PreTokenizer forName(String name) {
        Supplier<PreTokenizer> factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unsupported pre-tokenizer '" + name + "'; supported: " + names());
        }
        return factory.get();
    }

    /** {@return every name {@link #forName(String)} accepts} */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** {@return the canonical name of this pre-tokenizer's rule set (e.g. {@code gpt-2} for {@code mpt})} */
    public String name() {
        return name;
    }

    /**
     * {@return whether a word that is itself a vocabulary entry becomes that token without merging (llama.cpp's
     * {@code ignore_merges}, set for Llama 3 style vocabularies)}
     */
    public boolean ignoresMerges() {
        return ignoresMerges;
    }

    /**
     * Splits {@code text} into words, in order; their concatenation is {@code text}. Unpaired
     * surrogates count as U+FFFD, as llama.cpp treats invalid UTF-8.
     *
     * @param text any text
     * @return the words, each of which BPE then encodes on its own
     */
    public List<String> split(String text) {
        int[] cps = codePoints(text);
        IntList chunks = new IntList(1);
        if (cps.length > 0) {
            chunks.add(cps.length);
        }
        SplitText splitText = new SplitText(cps);
        for (SplitRule rule : rules) {
            chunks = rule.apply(splitText, chunks);
        }
        List<String> words = new ArrayList<>(chunks.size());
        int start = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int end = start + chunks.get(i);
            words.add(new String(cps, start, end - start));
            start = end;
        }
        return words;
    }

    static int[] codePoints(String text) {
        return text.codePoints().map(cp -> Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp).toArray();
    }

    @Override
    public String toString() {
        return "PreTokenizer[" + name + "]";
    }
}
