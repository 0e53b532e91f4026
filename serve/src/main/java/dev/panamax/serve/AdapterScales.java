package dev.panamax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.transformer.lora.AdapterSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The served model's LoRA adapters and their scales, as llama-server keeps them: the global scales
 * ({@code GET}/{@code POST /lora-adapters}) apply to requests without a {@code lora} field; a request's
 * {@code "lora": [{"id": 0, "scale": 0.5}, ...]} gives the scales of that request alone. In both lists an
 * adapter left out runs at scale 0, that is not at all. Thread-safe: request threads read, {@code POST}
 * writes.
 *
 * <p>Each distinct combination of scales is fitted to the model once and kept (its {@code b} factors
 * carry the scale), so the server keeps at most {@link #MAX_COMBINATIONS}; a request asking for another
 * gets a 400 rather than growing the server's memory without bound.
 */
final class AdapterScales {
    /** Distinct adapter combinations (sets of non-zero scales) handed out over the server's life, at most. */
    static final int MAX_COMBINATIONS = 32;

    private final List<ServedAdapter> adapters;
    private final float[] global;
    private final Set<AdapterSet> known = new HashSet<>();

    AdapterScales(List<ServedAdapter> adapters) {
        this.adapters = List.copyOf(adapters);
        this.global = new float[adapters.size()];
        for (int i = 0; i < global.length; i++) {
            global[i] = adapters.get(i).scale();
        }
        known.add(set(global));
    }

    /** One line of {@code GET /lora-adapters}. */
    record Listed(int id, String path, float scale) {
    }

    /** The adapters with their global scales, by id. */
    synchronized List<Listed> list() {
        List<Listed> out = new ArrayList<>(adapters.size());
        for (int i = 0; i < adapters.size(); i++) {
            out.add(new Listed(i, adapters.get(i).path(), global[i]));
        }
        return out;
    }

    /** {@code POST /lora-adapters}: the global scales from now on (adapters not listed: 0). */
    synchronized void setGlobal(JsonNode body) {
        float[] scales = scales(body, "");
        admit(scales);
        System.arraycopy(scales, 0, global, 0, scales.length);
    }

    /** The adapters of a request: its {@code lora} field's, or the global ones when it has none. */
    synchronized AdapterSet forRequest(JsonNode lora) {
        if (lora == null || lora.isNull()) {
            return set(global);
        }
        float[] scales = scales(lora, "lora");
        admit(scales);
        return set(scales);
    }

    private void admit(float[] scales) {
        AdapterSet set = set(scales);
        if (!known.contains(set)) {
            if (known.size() >= MAX_COMBINATIONS) {
                throw ApiException.badRequest("the server keeps at most " + MAX_COMBINATIONS + " combinations of adapter scales (each is"
                        + " fitted to the model once) and has them all; reuse one of them", "lora");
            }
            known.add(set);
        }
    }

    /** The set of the adapters with a non-zero scale, in id order. */
    private AdapterSet set(float[] scales) {
        AdapterSet set = AdapterSet.NONE;
        for (int i = 0; i < scales.length; i++) {
            if (scales[i] != 0) {
                set = set.with(adapters.get(i).adapter(), scales[i]);
            }
        }
        return set;
    }

    /** Reads {@code [{"id": N, "scale": S}, ...]}; errors name {@code where} (the request field, or the body). */
    private float[] scales(JsonNode list, String where) {
        String name = where.isEmpty() ? "the body" : "'" + where + "'";
        if (!list.isArray()) {
            throw ApiException.badRequest(name + " must be an array of {\"id\": N, \"scale\": S} objects", where.isEmpty() ? null : where);
        }
        float[] scales = new float[adapters.size()];
        boolean[] seen = new boolean[adapters.size()];
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String at = (where.isEmpty() ? "" : where) + "[" + i + "]";
            if (!e.isObject() || !e.path("id").canConvertToInt() || !e.path("id").isIntegralNumber() || !e.path("scale").isNumber()) {
                throw ApiException.badRequest("'" + at + "' must be an object {\"id\": N, \"scale\": S} with an integer id and a number"
                        + " scale; got " + e, at);
            }
            int id = e.get("id").intValue();
            if (id < 0 || id >= adapters.size()) {
                throw ApiException.badRequest("'" + at + ".id' is " + id + ", but the server has " + adapters.size() + " adapter"
                        + (adapters.size() == 1 ? "" : "s") + (adapters.isEmpty() ? " (start it with --lora FILE)" : " (ids 0 to "
                        + (adapters.size() - 1) + ")"), at + ".id");
            }
            if (seen[id]) {
                throw ApiException.badRequest("'" + at + ".id' names adapter " + id + " a second time", at + ".id");
            }
            double scale = e.get("scale").doubleValue();
            if (!Double.isFinite(scale) || Math.abs(scale) > Float.MAX_VALUE) {
                throw ApiException.badRequest("'" + at + ".scale' must be a finite number, got " + e.get("scale"), at + ".scale");
            }
            seen[id] = true;
            scales[id] = (float) scale;
        }
        return scales;
    }
}
