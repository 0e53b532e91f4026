package dev.panamax.langchain4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.chat.ChatModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** PanamaxEmbeddingModel feeding LangChain4j's InMemoryEmbeddingStore, on a tiny random model the test writes. */
@ExtendWith(Seeded.class)
class PanamaxEmbeddingModelTest {
    @TempDir
    Path dir;

    private static final List<String> TEXTS = List.of("the cat sat on the mat", "a quick brown fox", "zebras graze", "hello world");

    @Test
    void anEmbeddingStoreFindsEachTextByItsOwnEmbedding(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        try (PanamaxEmbeddingModel embedder = PanamaxEmbeddingModel.builder().modelPath(file).threadCount(2).build()) {
            InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
            List<TextSegment> segments = TEXTS.stream().map(TextSegment::from).toList();
            List<Embedding> embeddings = embedder.embedAll(segments).content();
            store.addAll(embeddings, segments);
            assertEquals(embedder.dimension(), embeddings.getFirst().dimension());
            for (String text : TEXTS) {
                List<EmbeddingMatch<TextSegment>> hits = store.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(embedder.embed(text).content()).maxResults(2).build()).matches();
                assertEquals(text, hits.getFirst().embedded().text());
                assertEquals(1.0, hits.getFirst().score(), 1e-5, "cosine of a vector with itself");
                assertTrue(hits.get(1).score() < 1 - 1e-4, "another text is not the same point: " + hits.get(1).score());
            }
        }
    }

    @Test
    void theVectorsAreTheModelsUnitEmbeddings(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().threads(2))) {
            PanamaxEmbeddingModel unit = PanamaxEmbeddingModel.builder().languageModel(model).build();
            PanamaxEmbeddingModel raw = PanamaxEmbeddingModel.builder().languageModel(model).normalize(false).build();
            assertArrayEquals(model.embed(List.of("zebras graze"), true).getFirst(), unit.embed("zebras graze").content().vector());
            assertArrayEquals(model.embed(List.of("zebras graze"), false).getFirst(), raw.embed("zebras graze").content().vector());
            assertEquals(model.tokenizer().encode("zebras graze", true, false).length,
                    unit.embed("zebras graze").tokenUsage().inputTokenCount());
        }
    }
}
