package dev.panamax.transformer.tokenizer;

import java.util.List;
import java.util.Objects;

/**
 * Everything a tokenizer is built from, as plain Java data: the fields of GGUF's
 * {@code tokenizer.ggml.*} metadata. Optional fields are {@code null}; then llama.cpp's default for
 * the model applies (see {@link Vocabulary}). Build one with {@link #builder(String, List)}.
 *
 * @param model          {@code "llama"} (SentencePiece BPE) or {@code "gpt2"} (byte-level BPE)
 * @param pre            the pre-tokenizer name for {@code gpt2} ({@link PreTokenizer#names()}), or null for
 *                       llama.cpp's {@code default}
 * @param tokens         the vocabulary, indexed by token id
 * @param scores         SentencePiece merge priorities per token (higher merges first), or null (all 0)
 * @param tokenTypes     GGUF token types per token ({@link TokenType#ggufId()}), or null (all normal)
 * @param merges         byte-level BPE merges {@code "left right"}, highest priority first ({@code gpt2} only)
 * @param bos            beginning-of-sequence id, null for the model's default, -1 for none
 * @param eos            end-of-sequence id, null for the model's default, -1 for none
 * @param unknown        unknown-token id, null for the model's default, -1 for none
 * @param eot            end-of-turn id, or null to look it up by text (e.g. {@code <|eot_id|>})
 * @param eom            end-of-message id, or null to look it up by text ({@code <|eom_id|>})
 * @param addBos         whether encoding with special tokens prepends BOS, or null for the model's default
 * @param addEos         whether encoding with special tokens appends EOS, or null for the model's default
 * @param addSpacePrefix whether SentencePiece encoding prepends a space, or null for the default (true for llama)
 * @param modelName      {@code general.name}, used only for llama.cpp's Phi-3 rule (special tokens swallow
 *                       the whitespace after them), or null
 */
public record TokenizerConfig(
        String model, String pre, List<String> tokens, float[] scores, int[] tokenTypes, List<String> merges,
        Integer bos, Integer eos, Integer unknown, Integer eot, Integer eom,
        Boolean addBos, Boolean addEos, Boolean addSpacePrefix, String modelName) {

    /**
     * Copies the lists and checks that the per-token arrays match the vocabulary.
     *
     * @throws IllegalArgumentException if {@code scores} or {@code tokenTypes} has another length than {@code tokens}
     */
    public TokenizerConfig {
        Objects.requireNonNull(model, "model");
        tokens = List.copyOf(tokens);
        if (scores != null && scores.length != tokens.size()) {
            throw new IllegalArgumentException("scores has " + scores.length + " entries for " + tokens.size() + " tokens");
        }
        if (tokenTypes != null && tokenTypes.length != tokens.size()) {
            throw new IllegalArgumentException("tokenTypes has " + tokenTypes.length + " entries for " + tokens.size() + " tokens");
        }
        merges = merges == null ? null : List.copyOf(merges);
    }

    /**
     * A builder for a vocabulary of the given model ({@code "llama"} or {@code "gpt2"}).
     *
     * @param model  the tokenizer model, as {@link TokenizerConfig#model()}
     * @param tokens the vocabulary, indexed by token id
     * @return a builder with every optional field null
     */
    public static Builder builder(String model, List<String> tokens) {
        return new Builder(model, tokens);
    }

    /** {@return a builder that starts from this configuration} */
    public Builder toBuilder() {
        Builder b = new Builder(model, tokens);
        b.pre = pre;
        b.scores = scores;
        b.tokenTypes = tokenTypes;
        b.merges = merges;
        b.bos = bos;
        b.eos = eos;
        b.unknown = unknown;
        b.eot = eot;
        b.eom = eom;
        b.addBos = addBos;
        b.addEos = addEos;
        b.addSpacePrefix = addSpacePrefix;
        b.modelName = modelName;
        return b;
    }

    /** Builds a {@link TokenizerConfig}; every setter is optional. */
    public static final class Builder {
        private final String model;
        private final List<String> tokens;
        private String pre;
        private float[] scores;
        private int[] tokenTypes;
        private List<String> merges;
        private Integer bos;
        private Integer eos;
        private Integer unknown;
        private Integer eot;
        private Integer eom;
        private Boolean addBos;
        private Boolean addEos;
        private Boolean addSpacePrefix;
        private String modelName;

        private Builder(String model, List<String> tokens) {
            this.model = model;
            this.tokens = tokens;
        }

        /**
         * Sets the pre-tokenizer name, see {@link TokenizerConfig#pre()}.
         *
         * @param pre the value, or null for the default
         * @return this builder
         */
        public Builder pre(String pre) { this.pre = pre; return this; }
        /**
         * Sets the SentencePiece scores, see {@link TokenizerConfig#scores()}.
         *
         * @param scores the value, or null for the default
         * @return this builder
         */
        public Builder scores(float[] scores) { this.scores = scores; return this; }
        /**
         * Sets the GGUF token types, see {@link TokenizerConfig#tokenTypes()}.
         *
         * @param tokenTypes the value, or null for the default
         * @return this builder
         */
        public Builder tokenTypes(int[] tokenTypes) { this.tokenTypes = tokenTypes; return this; }
        /**
         * Sets the BPE merges, see {@link TokenizerConfig#merges()}.
         *
         * @param merges the value, or null for the default
         * @return this builder
         */
        public Builder merges(List<String> merges) { this.merges = merges; return this; }
        /**
         * Sets the beginning-of-sequence id, see {@link TokenizerConfig#bos()}.
         *
         * @param bos the value, or null for the default
         * @return this builder
         */
        public Builder bos(Integer bos) { this.bos = bos; return this; }
        /**
         * Sets the end-of-sequence id, see {@link TokenizerConfig#eos()}.
         *
         * @param eos the value, or null for the default
         * @return this builder
         */
        public Builder eos(Integer eos) { this.eos = eos; return this; }
        /**
         * Sets the unknown-token id, see {@link TokenizerConfig#unknown()}.
         *
         * @param unknown the value, or null for the default
         * @return this builder
         */
        public Builder unknown(Integer unknown) { this.unknown = unknown; return this; }
        /**
         * Sets the end-of-turn id, see {@link TokenizerConfig#eot()}.
         *
         * @param eot the value, or null for the default
         * @return this builder
         */
        public Builder eot(Integer eot) { this.eot = eot; return this; }
        /**
         * Sets the end-of-message id, see {@link TokenizerConfig#eom()}.
         *
         * @param eom the value, or null for the default
         * @return this builder
         */
        public Builder eom(Integer eom) { this.eom = eom; return this; }
        /**
         * Sets whether BOS is prepended, see {@link TokenizerConfig#addBos()}.
         *
         * @param addBos the value, or null for the default
         * @return this builder
         */
        public Builder addBos(Boolean addBos) { this.addBos = addBos; return this; }
        /**
         * Sets whether EOS is appended, see {@link TokenizerConfig#addEos()}.
         *
         * @param addEos the value, or null for the default
         * @return this builder
         */
        public Builder addEos(Boolean addEos) { this.addEos = addEos; return this; }
        /**
         * Sets whether a space is prepended, see {@link TokenizerConfig#addSpacePrefix()}.
         *
         * @param addSpacePrefix the value, or null for the default
         * @return this builder
         */
        public Builder addSpacePrefix(Boolean addSpacePrefix) { this.addSpacePrefix = addSpacePrefix; return this; }
        /**
         * Sets {@code general.name}, see {@link TokenizerConfig#modelName()}.
         *
         * @param modelName the value, or null for the default
         * @return this builder
         */
        public Builder modelName(String modelName) { this.modelName = modelName; return this; }

        /** {@return the config of the fields set so far} */
        public TokenizerConfig build() {
            return new TokenizerConfig(model, pre, tokens, scores, tokenTypes, merges, bos, eos, unknown, eot, eom,
                    addBos, addEos, addSpacePrefix, modelName);
        }
    }
}
