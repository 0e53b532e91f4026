package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.Embedding;
import dev.panamax.transformer.nn.GeluFeedForward;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.OutputHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT, the encoder of embedding models (bge, MiniLM, e5 ...): token + learned position + token-type-0
 * embeddings through a LayerNorm, then post-norm blocks ({@link EncoderBlock}: bidirectional
 * {@link EncoderAttention} with biases, add, LayerNorm, GELU MLP with biases, add, LayerNorm), and no
 * output head: the last block's states are what {@code embed} pools. Reference: transformers'
 * {@code modeling_bert.py} ({@code BertEmbeddings}, {@code BertLayer}); llama.cpp's {@code src/models/bert.cpp}.
 *
 * <p>GGUF vs Hugging Face: the same layout; GGUF names as llama.cpp's converter writes them
 * ({@code position_embd}, {@code token_types}, {@code token_embd_norm}, {@code attn_output_norm},
 * {@code layer_output_norm}), HF names as {@code BertModel} saves them ({@code embeddings.*},
 * {@code encoder.layer.N.*}). The activation: config.json's {@code hidden_act} ({@code gelu} is the
 * erf form); GGUF has no such key, and since BERT checkpoints use {@code gelu}, the erf form is used
 * (llama.cpp v0.5.0 computes ggml's tanh approximation instead).
 *
 * <p>A checkpoint saved from a task model ({@code BertForMaskedLM}, {@code BertForSequenceClassification}
 * ...) holds the encoder under {@code bert.} ({@code bert.embeddings.word_embeddings.weight}) beside the
 * task's head ({@code cls.*}, {@code classifier.*}), which is not read. Any other layout is refused,
 * naming the tensor that was looked for.
 */
public final class Bert implements ModelFamily {
    static final String NAME = "bert";

    static final TensorName TOKEN_EMBEDDING = TensorName.global("token_embd", "embeddings.word_embeddings");
    static final TensorName POSITION_EMBEDDING = TensorName.global("position_embd", "embeddings.position_embeddings");
    static final TensorName TOKEN_TYPES = TensorName.global("token_types", "embeddings.token_type_embeddings");
    static final TensorName EMBEDDING_NORM = TensorName.global("token_embd_norm", "embeddings.LayerNorm");
    static final TensorName ATTN_Q = TensorName.layer("attn_q", "encoder.layer.{layer}.attention.self.query");
    static final TensorName ATTN_K = TensorName.layer("attn_k", "encoder.layer.{layer}.attention.self.key");
    static final TensorName ATTN_V = TensorName.layer("attn_v", "encoder.layer.{layer}.attention.self.value");
    static final TensorName ATTN_OUTPUT = TensorName.layer("attn_output", "encoder.layer.{layer}.attention.output.dense");
    static final TensorName ATTN_OUTPUT_NORM = TensorName.layer("attn_output_norm", "encoder.layer.{layer}.attention.output.LayerNorm");
    static final TensorName FFN_UP = TensorName.layer("ffn_up", "encoder.layer.{layer}.intermediate.dense");
    static final TensorName FFN_DOWN = TensorName.layer("ffn_down", "encoder.layer.{layer}.output.dense");
    static final TensorName LAYER_OUTPUT_NORM = TensorName.layer("layer_output_norm", "encoder.layer.{layer}.output.LayerNorm");
    /** Where a task model ({@code BertFor...}) saves its {@code BertModel}. */
    static final String TASK_MODEL_PREFIX = "bert.";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> ggufArchitectures() {
        return List.of("bert");
    }

    @Override
    public List<String> hfModelTypes() {
        return List.of("bert");
    }

    @Override
    public FamilyConfig fromGguf(GgufFile file) {
        String causal = "bert.attention.causal";
        if (file.metadata().findBoolean(causal).orElse(false)) {
            throw new UnsupportedModelException(file.path() + ": " + causal + " = true; a bert model attends both ways (supported: false)");
        }
        ModelConfig common = GgufConfigReader.common(file, Rope.Layout.NEOX);
        if (common.kvHeads() != common.heads() || common.headDim() * common.heads() != common.dim()) {
            throw new UnsupportedModelException(file.path() + ": bert with " + common.heads() + " query heads, " + common.kvHeads()
                    + " KV heads of " + common.headDim() + " (supported: as many KV heads as query heads, of dim / heads)");
        }
        return new Config(common, common.rmsEps(), Gelu.ERF);
    }

    @Override
    public FamilyConfig fromHf(Path file, HfConfig config) {
        var x = config.others();
        String position = x.string("position_embedding_type").orElse("absolute");
        if (!position.equals("absolute")) {
            throw new UnsupportedModelException(file + ": position_embedding_type '" + position + "' is not supported for bert (supported: absolute)");
        }
        if (x.bool("is_decoder").orElse(false)) {
            throw new UnsupportedModelException(file + ": is_decoder = true is not supported for bert (supported: the encoder)");
        }
        String act = config.hiddenAct().orElse("gelu");
        Gelu gelu = switch (act) {
            case "gelu" -> Gelu.ERF;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Gelu.TANH;
            default -> throw new UnsupportedModelException(file + ": hidden_act '" + act
                    + "' is not supported for bert (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast)");
        };
        float eps = (float) x.number("layer_norm_eps").orElse(1e-12); // BertConfig's default
        ModelConfig common = HfConfigReader.common(file, config);
        return new Config(common, eps, gelu);
    }

    /**
     * @param normEps the LayerNorm epsilon ({@code layer_norm_eps}, {@code bert.attention.layer_norm_epsilon})
     * @param gelu    the MLP's activation
     */
    record Config(ModelConfig common, float normEps, Gelu gelu) implements FamilyConfig {
        @Override
        public String familyName() {
            return NAME;
        }

        @Override
        public boolean encoder() {
            return true;
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>();
            f.add("encoder: bidirectional attention, no output head (embeddings only)");
            f.add("learned position embeddings (" + common.contextLength() + "), token type 0");
            f.add("post-norm LayerNorms with bias");
            f.add("GELU (" + gelu.name().toLowerCase(Locale.ROOT) + ") MLP with biases");
            return f;
        }

        @Override
        public Decoder build(ModelConfig config, BuildContext b) {
            WeightLoader w = b.weights();
            String prefix = hfPrefix(w);
            int dim = config.dim();
            Embedding tokens = new Embedding(b.ops(), w.matrix(under(prefix, TOKEN_EMBEDDING), -1, config.vocabSize(), dim), 1);
            List<Block> blocks = new ArrayList<>(config.layers() + 1);
            blocks.add(new PositionEmbeddingBlock(b.ops(), positionsPlusType0(w, dim, prefix),
                    w.layerNorm(under(prefix, EMBEDDING_NORM), -1, dim, normEps)));
            for (int l = 0; l < config.layers(); l++) {
                blocks.add(block(b, config, l, prefix));
            }
            // no projection to the vocabulary: the states after the last block are the output, unnormalized
            OutputHead head = new OutputHead(b.ops(), (x, out) -> {
                if (x != out) {
                    b.ops().copy(x, out);
                }
            }, null, 1);
            return new Decoder(tokens, blocks, head);
        }

        private EncoderBlock block(BuildContext b, ModelConfig c, int layer, String prefix) {
            WeightLoader w = b.weights();
            int dim = c.dim();
            EncoderAttention attention = new EncoderAttention(b.ops(), b.scratch(), c.heads(), c.headDim(),
                    linear(w, under(prefix, ATTN_Q), layer, dim, dim), linear(w, under(prefix, ATTN_K), layer, dim, dim),
                    linear(w, under(prefix, ATTN_V), layer, dim, dim), linear(w, under(prefix, ATTN_OUTPUT), layer, dim, dim));
            GeluFeedForward ffn = new GeluFeedForward(b.ops(), b.scratch(), linear(w, under(prefix, FFN_UP), layer, c.ffnDim(), dim),
                    linear(w, under(prefix, FFN_DOWN), layer, dim, c.ffnDim()), gelu);
            return new EncoderBlock(b.ops(), b.scratch(), dim, attention,
                    w.layerNorm(under(prefix, ATTN_OUTPUT_NORM), layer, dim, normEps), ffn,
                    w.layerNorm(under(prefix, LAYER_OUTPUT_NORM), layer, dim, normEps));
        }

        /**
         * The prefix of a Hugging Face checkpoint's encoder tensors: none for {@code BertModel}'s own names,
         * {@link #TASK_MODEL_PREFIX} for a task model's; GGUF names have none.
         *
         * @throws FormatException naming the file and both names looked for if the word embeddings are under neither
         */
        private static String hfPrefix(WeightLoader w) {
            if (w.format() != TensorFormat.HUGGING_FACE || w.has(TOKEN_EMBEDDING, -1)) {
                return "";
            }
            if (w.has(under(TASK_MODEL_PREFIX, TOKEN_EMBEDDING), -1)) {
                return TASK_MODEL_PREFIX;
            }
            String plain = TOKEN_EMBEDDING.in(TensorFormat.HUGGING_FACE, -1, ".weight");
            throw new FormatException(w.file(), plain, "(absent)", "a bert checkpoint holds its word embeddings as " + plain
                    + " (BertModel) or " + TASK_MODEL_PREFIX + plain + " (a task model such as BertForMaskedLM); this one has"
                    + " neither (other prefixes, e.g. roberta. or distilbert., are other families)");
        }

        /** {@code name} with its Hugging Face name under {@code prefix}; the GGUF name is unchanged. */
        private static TensorName under(String prefix, TensorName name) {
            return prefix.isEmpty() ? name : new TensorName(name.gguf(), prefix + name.hf(), name.global());
        }

        /**
         * The position table {@code [positions, dim]} of the file's context with token type 0's row added to every
         * row once, at load (every token is of type 0, "sentence A", as in llama.cpp and {@code BertModel}'s default).
         */
        private Tensor positionsPlusType0(WeightLoader w, int dim, String prefix) {
            int positions = common.contextLength();
            String name = under(prefix, POSITION_EMBEDDING).in(w.format(), -1, ".weight");
            float[] table = w.tensor(name, positions, dim).toFloatArray();
            TensorName typesName = under(prefix, TOKEN_TYPES);
            var types = w.find(typesName, -1, ".weight");
            if (types.isPresent()) {
                Tensor t = types.get();
                if (t.rank() != 2 || t.size(1) != dim || t.size(0) < 1) {
                    throw new FormatException(w.file(), typesName.in(w.format(), -1, ".weight"), java.util.Arrays.toString(t.shape()),
                            "expected [types, " + dim + "]");
                }
                float[] type0 = t.rows(0, 1).toFloatArray();
                for (int p = 0; p < positions; p++) {
                    for (int i = 0; i < dim; i++) {
                        table[p * dim + i] += type0[i];
                    }
                }
            }
            return w.upload(Tensor.of(w.arena(), table, positions, dim));
        }

        /** A projection with its bias when the file has one (BERT's all have). */
        private static Linear linear(WeightLoader w, TensorName name, int layer, int rows, int cols) {
            return w.linear(name, layer, rows, cols, w.has(name, layer, ".bias"));
        }
    }
}
