package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code TemplateProcessing}: the {@code single} template, e.g. {@code <bos> $A}: special tokens (with
 * their ids from {@code special_tokens}) around the sequence. Only single sequences are encoded, so
 * the {@code pair} template is not used.
 *
 * @param template the ids to put in order; {@link #SEQUENCE} marks where the sequence goes
 */
public record TemplateProcessing(List<int[]> template) implements PostProcessor {
    /** The place of the sequence in {@link #template}. */
    static final int[] SEQUENCE = new int[0];

    public TemplateProcessing {
        template = List.copyOf(template);
    }

    /** The template of {@code node}; its special tokens' ids must be below {@code size}, the vocabulary's. */
    static TemplateProcessing read(JsonNode node, int size) {
        Map<String, int[]> specials = new HashMap<>();
        JsonNode tokens = node.get("special_tokens");
        if (!tokens.isNull()) {
            for (String key : tokens.keys()) {
                List<JsonNode> ids = tokens.get(key).get("ids").elements();
                int[] values = new int[ids.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = ids.get(i).intValue(0, size - 1);
                }
                specials.put(key, values);
            }
        }
        List<int[]> template = new ArrayList<>();
        boolean sawSequence = false;
        for (JsonNode item : node.get("single").elements()) {
            if (item.has("SpecialToken")) {
                JsonNode id = item.get("SpecialToken").get("id");
                int[] ids = specials.get(id.string());
                if (ids == null) {
                    throw id.fail("not in special_tokens");
                }
                template.add(ids);
            } else if (item.has("Sequence")) {
                JsonNode id = item.get("Sequence").get("id");
                if (!"A".equals(id.string()) || sawSequence) {
                    throw id.fail("a single template holds sequence A once");
                }
                sawSequence = true;
                template.add(SEQUENCE);
            } else {
                throw item.fail("expected SpecialToken or Sequence");
            }
        }
        if (!sawSequence) {
            throw node.get("single").fail("the template has no sequence $A");
        }
        return new TemplateProcessing(template);
    }

    @Override
    public int[] process(int[] ids, boolean addSpecial) {
        if (!addSpecial) {
            return ids;
        }
        int n = 0;
        for (int[] part : template) {
            n += part == SEQUENCE ? ids.length : part.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] part : template) {
            int[] src = part == SEQUENCE ? ids : part;
            System.arraycopy(src, 0, out, at, src.length);
            at += src.length;
        }
        return out;
    }
}
