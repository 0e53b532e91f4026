package dev.panamax.transformer.lora;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.family.StandardParts;
import dev.panamax.transformer.family.TensorFormat;
import dev.panamax.transformer.family.TensorName;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEFT LoRA directory: {@code adapter_config.json} ({@code r}, {@code lora_alpha},
 * {@code use_rslora}, {@code target_modules}, {@code fan_in_fan_out}) and
 * {@code adapter_model.safetensors} ({@code base_model.model.<module>.lora_A.weight [r, in]},
 * {@code .lora_B.weight [out, r]}). Module names are mapped to llama.cpp's names so that one adapter
 * applies to a Hugging Face checkpoint and to its GGUF conversion alike.
 */
final class PeftAdapterReader {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final Pattern TENSOR = Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.[^.]+)?\\.weight");
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    /** The projections every family of the Llama lineage has, under both names. */
    private static final List<TensorName> PROJECTIONS = List.of(StandardParts.ATTN_Q, StandardParts.ATTN_K, StandardParts.ATTN_V,
            StandardParts.ATTN_OUTPUT, StandardParts.FFN_GATE, StandardParts.FFN_UP, StandardParts.FFN_DOWN, StandardParts.OUTPUT);

    private PeftAdapterReader() {
    }

    static LoraAdapter read(Path dir) {
        Path configFile = dir.resolve("adapter_config.json");
        Map<String, Object> config = readConfig(configFile);
        String peftType = String.valueOf(config.getOrDefault("peft_type", "LORA"));
        if (!peftType.equals("LORA")) {
            throw new FormatException(configFile, "peft_type", peftType, "only LoRA adapters are supported");
        }
        Object toSave = config.get("modules_to_save");
        if (toSave != null && !(toSave instanceof List<?> l && l.isEmpty())) {
            throw new FormatException(configFile, "modules_to_save", toSave,
                    "the adapter replaces whole modules, which a LoRA on a frozen base cannot apply; merge it with PEFT instead");
        }
        for (String pattern : List.of("alpha_pattern", "rank_pattern")) {
            Object p = config.get(pattern);
            if (p instanceof Map<?, ?> m && !m.isEmpty() && pattern.equals("alpha_pattern")) {
                throw new FormatException(configFile, pattern, p, "per-module alphas are not supported");
            }
        }
        if (Boolean.TRUE.equals(config.get("use_dora"))) {
            throw new FormatException(configFile, "use_dora", true, "DoRA is not supported");
        }
        Object alpha = config.get("lora_alpha");
        if (!(alpha instanceof Number)) {
            throw new FormatException(configFile, "lora_alpha", alpha, "a number is needed");
        }
        Object r = config.get("r");
        if (!(r instanceof Number rank) || rank.intValue() <= 0) {
            throw new FormatException(configFile, "r", r, "a positive rank is needed");
        }
        boolean rsLora = Boolean.TRUE.equals(config.get("use_rslora"));
        // fan_in_fan_out only says the base weight is stored [in, out] (GPT-2's Conv1D); the LoRA factors
        // are nn.Linear layers either way, so b · a is the change of the [out, in] matrix we multiply by
        List<String> targets = new ArrayList<>();
        Object t = config.get("target_modules");
        if (t instanceof List<?> l) {
            l.forEach(x -> targets.add(String.valueOf(x)));
        } else if (t != null) {
            targets.add(String.valueOf(t));
        }
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new FormatException(dir, "adapter_model.safetensors", "missing", "a PEFT adapter directory needs its safetensors file");
        }
        Map<String, Tensor> as = new TreeMap<>(), bs = new TreeMap<>();
        Arena arena = Arena.ofAuto();
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            for (String name : st.tensorNames()) {
                Matcher m = TENSOR.matcher(name);
                if (!m.matches()) {
                    throw new FormatException(weights, name, "", "expected base_model.model.<module>.lora_A/lora_B.weight"
                            + " (embedding adapters and extra modules are not supported)");
                }
                String base = ggufName(weights, name, m.group(1));
                Tensor f = LoraAdapter.f32(weights, name, st.tensor(name), arena);
                (m.group(2).equals("A") ? as : bs).put(base, f);
            }
        }
        return new LoraAdapter(dir, "PEFT", ((Number) alpha).floatValue(), rsLora, LoraAdapter.RowOrder.HUGGING_FACE, targets,
                LoraAdapter.pair(weights, as, bs, " lora_A", " lora_B"));
    }

    /** {@code model.layers.3.self_attn.q_proj} to {@code blk.3.attn_q.weight}, {@code lm_head} to {@code output.weight}. */
    private static String ggufName(Path file, String tensor, String module) {
        Matcher layer = LAYER.matcher(module);
        for (TensorName p : PROJECTIONS) {
            if (p.global() && module.equals(p.hf())) {
                return p.in(TensorFormat.GGUF, -1, ".weight");
            }
            if (!p.global() && layer.matches() && layer.group(2).equals(p.hf())) {
                return p.in(TensorFormat.GGUF, Integer.parseInt(layer.group(1)), ".weight");
            }
        }
        throw new FormatException(file, tensor, module, "not a projection LoRA can adapt here (q/k/v/o_proj, gate/up/down_proj, lm_head)");
    }

    private static Map<String, Object> readConfig(Path file) {
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "(root)", p.currentToken(), "adapter_config.json must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value(p);
            return m;
        } catch (IOException e) {
            throw new FormatException(file, "(json)", e.getMessage(), "cannot read adapter_config.json", e);
        }
    }

    /** The value at the current token: objects as maps, arrays as lists, numbers, strings, booleans, null. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> {
                return null;
            }
        }
    }
}
