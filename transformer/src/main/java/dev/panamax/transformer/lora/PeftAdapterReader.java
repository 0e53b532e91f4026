package dev.panamax.transformer.lora;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.safetensors.SafetensorsFile;
import dev.panamax.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEFT LoRA directory: {@code adapter_config.json} ({@code r}, {@code lora_alpha},
 * {@code use_rslora}, {@code target_modules}, {@code fan_in_fan_out}) and
 * {@code adapter_model.safetensors} ({@code base_model.model.<module>.lora_A.weight [r, in]},
 * {@code .lora_B.weight [out, r]}; an embedding's {@code lora_embedding_A [r, vocab]} and
 * {@code lora_embedding_B [dim, r]}). Module names are mapped to llama.cpp's names
 * ({@link PeftModuleNames}) and the factors to its layouts (routed experts stacked, the embedding's
 * A transposed), so that one adapter applies to a Hugging Face checkpoint and to its GGUF
 * conversion alike.
 */
final class PeftAdapterReader {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** An {@code nn.Linear}'s factors: {@code lora_A.weight}, or with the adapter's name, {@code lora_A.default.weight}. */
    private static final Pattern LINEAR = Pattern.compile("base_model\\.model\\.(.+)\\.lora_([AB])(?:\\.[^.]+)?\\.weight");
    /** An {@code nn.Embedding}'s factors, parameters of their own: {@code lora_embedding_A [r, vocab]}, {@code lora_embedding_B [dim, r]}. */
    private static final Pattern EMBEDDING = Pattern.compile("base_model\\.model\\.(.+)\\.lora_embedding_([AB])(?:\\.[^.]+)?");

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
        Map<String, SortedMap<Integer, Tensor>> expertAs = new TreeMap<>(), expertBs = new TreeMap<>();
        Arena arena = Arena.ofAuto();
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            for (String name : st.tensorNames()) {
                Matcher linear = LINEAR.matcher(name), embedding = EMBEDDING.matcher(name);
                if (linear.matches()) {
                    PeftModuleNames.Target target = PeftModuleNames.projection(weights, name, linear.group(1));
                    Tensor f = LoraAdapter.factor(weights, name, st.tensor(name), arena);
                    boolean isA = linear.group(2).equals("A");
                    if (target.expert() < 0) {
                        (isA ? as : bs).put(target.tensor(), f);
                    } else {
                        (isA ? expertAs : expertBs).computeIfAbsent(target.tensor(), k -> new TreeMap<>()).put(target.expert(), f);
                    }
                } else if (embedding.matches()) {
                    String table = PeftModuleNames.embedding(weights, name, embedding.group(1));
                    Tensor f = LoraAdapter.factor(weights, name, st.tensor(name), arena);
                    if (f.rank() != 2) {
                        throw new FormatException(weights, name, Arrays.toString(f.shape()), "an embedding's LoRA factor is a matrix");
                    }
                    // llama.cpp looks up rows of lora_a [vocab, r] (convert_lora_to_gguf.py transposes PEFT's A); lora_b is [dim, r] in both
                    boolean isA = embedding.group(2).equals("A");
                    (isA ? as : bs).put(table, isA ? f.transpose(0, 1).to(arena, f.dtype()) : f);
                } else {
                    throw new FormatException(weights, name, "", "expected base_model.model.<module>.lora_A/lora_B.weight,"
                            + " or <embedding>.lora_embedding_A/B (extra modules are not supported)");
                }
            }
        }
        expertAs.forEach((name, byExpert) -> as.put(name, stacked(weights, name + " lora_A", byExpert, arena)));
        expertBs.forEach((name, byExpert) -> bs.put(name, stacked(weights, name + " lora_B", byExpert, arena)));
        return new LoraAdapter(dir, "PEFT", ((Number) alpha).floatValue(), rsLora, LoraAdapter.RowOrder.HUGGING_FACE, targets,
                LoraAdapter.pair(weights, as, bs, " lora_A", " lora_B"));
    }

    /**
     * One factor of every routed expert, {@code [r, in]} or {@code [out, r]} each, stacked as llama.cpp's
     * converter stacks them: {@code [experts, r, in]}, {@code [experts, out, r]}, expert e at e. Every
     * expert from 0 on must be there with the same shape (llama.cpp's converter cannot stack a subset either).
     */
    private static Tensor stacked(Path file, String name, SortedMap<Integer, Tensor> byExpert, Arena arena) {
        int count = byExpert.lastKey() + 1;
        Tensor first = byExpert.get(byExpert.firstKey());
        for (int e = 0; e < count; e++) {
            Tensor t = byExpert.get(e);
            if (t == null) {
                throw new FormatException(file, name, "experts " + byExpert.keySet(), "expert " + e + " is missing: an adapter of"
                        + " routed experts must adapt every expert (they are stacked into one tensor)");
            }
            if (t.rank() != 2 || !Arrays.equals(t.shape(), first.shape())) {
                throw new FormatException(file, name + " (expert " + e + ")", Arrays.toString(t.shape()),
                        "every expert's factor must be a matrix of the same shape, " + Arrays.toString(first.shape()));
            }
        }
        Tensor out = Tensor.allocate(arena, first.dtype(), count, first.size(0), first.size(1));
        for (int e = 0; e < count; e++) {
            out.select(0, e).copyFrom(byExpert.get(e));
        }
        return out;
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
