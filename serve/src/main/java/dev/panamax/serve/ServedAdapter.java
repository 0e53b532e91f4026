package dev.panamax.serve;

import dev.panamax.transformer.lora.LoraAdapter;

/**
 * A LoRA adapter the server loads at start (as llama-server's {@code --lora}): requests pick it by its
 * index in the served model's list ({@code "lora": [{"id": 0, "scale": 0.5}]}), and {@code /lora-adapters}
 * lists it and sets its scale for requests that pick none.
 *
 * @param path    where it was read from, as listed by {@code GET /lora-adapters}
 * @param adapter the adapter
 * @param scale   its scale for requests without a {@code lora} field, finite
 */
public record ServedAdapter(String path, LoraAdapter adapter, float scale) {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code path} or {@code adapter} is null or {@code scale} is not finite
     */
    public ServedAdapter {
        if (path == null || adapter == null || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("a served adapter needs a path, an adapter and a finite scale, got " + path + ", "
                    + adapter + ", " + scale);
        }
    }
}
