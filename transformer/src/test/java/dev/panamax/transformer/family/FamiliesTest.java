package dev.panamax.transformer.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.UnsupportedModelException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FamiliesTest {
    private static final Path FILE = Path.of("/models/x.gguf");

    @Test
    void eachArchitectureAndModelTypeBelongsToOneFamily() {
        Set<String> gguf = new HashSet<>(), hf = new HashSet<>(), names = new HashSet<>();
        for (ModelFamily f : Families.ALL) {
            assertTrue(names.add(f.name()), "family name " + f.name() + " twice");
            f.ggufArchitectures().forEach(a -> assertTrue(gguf.add(a), "GGUF architecture " + a + " claimed twice"));
            f.hfModelTypes().forEach(t -> assertTrue(hf.add(t), "model_type " + t + " claimed twice"));
            f.ggufArchitectures().forEach(a -> assertSame(f, Families.forGguf(FILE, a)));
            f.hfModelTypes().forEach(t -> assertSame(f, Families.forHf(FILE, t)));
        }
    }

    @Test
    void aFamilysRecordIsNamedForTheFamilyWhoseNamesIncludeItsArchitecture() {
        for (ModelFamily f : Families.ALL) {
            Set<String> names = new HashSet<>(f.ggufArchitectures());
            names.addAll(f.hfModelTypes());
            for (String a : names) {
                assertSame(f, Families.of(a).orElseThrow(), a);
                // a GGUF architecture is never another family's model_type, nor the reverse
                assertEquals(1, Families.ALL.stream().filter(g -> g.ggufArchitectures().contains(a) || g.hfModelTypes().contains(a)).count(), a);
            }
        }
        assertTrue(Families.of("gpt2").isEmpty());
    }

    @Test
    void unsupportedArchitectureNamesFileKeyValueAndEverySupportedOneInOrder() {
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Families.forGguf(FILE, "gpt2"));
        assertEquals(FILE + ": general.architecture 'gpt2' is not supported; supported: "
                + String.join(", ", Families.ggufArchitectures()), e.getMessage());
        assertEquals(List.of("llama", "mistral", "qwen2", "qwen2moe", "qwen3", "qwen3moe"), Families.ggufArchitectures().subList(0, 6));
        UnsupportedModelException hf = assertThrows(UnsupportedModelException.class, () -> Families.forHf(FILE, "t5"));
        assertTrue(hf.getMessage().startsWith(FILE + ": model_type 't5' is not supported; supported: llama, mistral, mixtral, qwen2"),
                hf.getMessage());
    }
}
