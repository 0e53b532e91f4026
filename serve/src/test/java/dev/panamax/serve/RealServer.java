package dev.panamax.serve;

import dev.panamax.tensor.testing.Models;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import java.io.IOException;

/** stories260K (a real trained model, see MODELS.md) served on a free loopback port; the tests that use it skip without it. */
final class RealServer implements AutoCloseable {
    static final String MODEL = "stories260K-f32";
    final LanguageModel model;
    final OpenAiServer server;

    RealServer(ServerSettings settings) throws IOException {
        this(settings, 0);
    }

    /** @param context each request's context in tokens (0: the model's) */
    RealServer(ServerSettings settings, int context) throws IOException {
        this(settings, context, null);
    }

    /** @param chatTemplate the chat format to serve it with (Jinja text), or null for its own */
    RealServer(ServerSettings settings, int context, String chatTemplate) throws IOException {
        model = LanguageModel.open(Models.require(MODEL + ".gguf"), ModelOptions.defaults().threads(2).contextLength(context)
                .chatTemplate(chatTemplate));
        try {
            server = OpenAiServer.start(new ServedModel(MODEL, model), null, settings.listen("127.0.0.1", 0));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The base URL OpenAI clients take: {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return server.uri() + "v1";
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            model.close();
        }
    }
}
