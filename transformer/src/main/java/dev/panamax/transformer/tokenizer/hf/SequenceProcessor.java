package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Sequence}: the post-processors applied in order. */
public record SequenceProcessor(List<PostProcessor> processors) implements PostProcessor {
    public SequenceProcessor {
        processors = List.copyOf(processors);
    }

    @Override
    public int[] process(int[] ids, boolean addSpecial) {
        for (PostProcessor p : processors) {
            ids = p.process(ids, addSpecial);
        }
        return ids;
    }
}
