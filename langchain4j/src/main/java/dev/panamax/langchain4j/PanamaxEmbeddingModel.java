package dev.panamax.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.panamax.transformer.api.LanguageModel;
import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's {@link EmbeddingModel} on a local embedding model (e.g. Qwen3-Embedding GGUF):
 * each text's final hidden states pooled as the file's {@code <arch>.pooling_type} says, unit
 * length unless {@link Builder#normalize(boolean) normalize(false)}. Close it if it opened the model.
 */
public final class PanamaxEmbeddingModel implements EmbeddingModel, AutoCloseable {
    private final LanguageModel model;
    private final boolean owned;
    private final boolean normalize;

    private PanamaxEmbeddingModel(Builder b) {
        this.model = b.model();
        this.owned = b.opensModel();
        this.normalize = b.normalize;
    }

    /**
     * A builder: which model, and whether to normalise.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<String> texts = segments.stream().map(TextSegment::text).toList();
        List<float[]> vectors = model.embed(texts, normalize);
        List<Embedding> out = new ArrayList<>(vectors.size());
        for (float[] v : vectors) {
            out.add(Embedding.from(v));
        }
        int tokens = 0;
        for (String t : texts) {
            tokens += model.tokenizer().encode(t, true, false).length;
        }
        return Response.from(out, new TokenUsage(tokens));
    }

    @Override
    public int dimension() {
        return model.model().config().dim();
    }

    @Override
    public String modelName() {
        return LocalChatModel.modelName(model);
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** Closes the model if this opened it. */
    @Override
    public void close() {
        if (owned) {
            model.close();
        }
    }

    /** Builds a {@link PanamaxEmbeddingModel}: which model ({@code modelPath} or {@code languageModel}), and whether to normalise. */
    public static final class Builder extends ModelSource<Builder> {
        private boolean normalize = true;

        private Builder() {
        }

        /**
         * Scale each embedding to unit length (default true: cosine similarity and dot product agree).
         *
         * @param n whether to normalise
         * @return this builder
         */
        public Builder normalize(boolean n) {
            this.normalize = n;
            return this;
        }

        /**
         * The embedding model, opening the model file if one was given.
         *
         * @return the embedding model
         */
        public PanamaxEmbeddingModel build() {
            return new PanamaxEmbeddingModel(this);
        }
    }
}
