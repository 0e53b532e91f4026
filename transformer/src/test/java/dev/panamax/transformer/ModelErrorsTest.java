package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.gguf.UnsupportedTensorTypeException;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bad inputs fail with clear, typed errors that name what is wrong. */
@ExtendWith(Seeded.class)
class ModelErrorsTest {
    @TempDir
    Path dir;

    @Test
    void tokensBeyondTheContextOrVocabularyAreRejected(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("m.gguf"));
        try (Ops ops = Backends.open("reference", 1); Model model = Model.open(file, ops, LoadOptions.defaults())) {
            Transformer t = model.transformer();
            assertEquals(m.context, model.config().contextLength());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> t.forward(new int[m.context + 1], 0));
            assertTrue(tooLong.getMessage().contains("context of " + m.context), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[] {1}, m.context));
            IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> t.forward(new int[] {3, m.vocab}, 0));
            assertTrue(badId.getMessage().contains(String.valueOf(m.vocab)), badId.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[0], 0));
            // the model still works afterwards
            assertEquals(m.vocab, t.forward(new int[] {1, 2}, 0).length);
        }
    }

    @Test
    void unknownArchitectureIsNamed() throws Exception {
        Path file = dir.resolve("gpt2.gguf");
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "gpt2");
        w.putUInt32("gpt2.embedding_length", 64);
        w.write(file);
        try (Ops ops = Backends.open("reference", 1)) {
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Model.open(file, ops));
            assertTrue(e.getMessage().contains("'gpt2'") && e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void missingTensorIsNamed(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        m.weights.remove("blk.1.ffn_down.weight");
        Path file = m.writeGguf(dir.resolve("m.gguf"));
        try (Ops ops = Backends.open("reference", 1)) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(file, ops));
            assertEquals("blk.1.ffn_down.weight", e.field());
            assertEquals(file, e.file());
        }
    }

    @Test
    void misshapenTensorIsNamedWithItsShape(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        m.shapes.put("blk.0.attn_k.weight", new long[] {m.dim, m.kvHeads * m.headDim}); // transposed
        Path file = m.writeGguf(dir.resolve("m.gguf"));
        try (Ops ops = Backends.open("reference", 1)) {
            FormatException e = assertThrows(FormatException.class, () -> Model.open(file, ops));
            assertEquals("blk.0.attn_k.weight", e.field());
            assertEquals("[64, 32]", e.value());
            assertTrue(e.getMessage().contains("[32, 64]"), e.getMessage());
        }
    }

    @Test
    void unsupportedTensorTypePropagatesWithTheTensorName(Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        m.weights.remove("blk.0.attn_q.weight");
        long rows = m.heads * m.headDim, blocks = rows * m.dim / GgmlType.IQ4_NL.blockSize();
        MemorySegment bytes = MemorySegment.ofArray(new byte[(int) (blocks * GgmlType.IQ4_NL.bytesPerBlock())]);
        Path file = m.writeGguf(dir.resolve("m.gguf"),
                w -> w.addTensor("blk.0.attn_q.weight", GgmlType.IQ4_NL, new long[] {rows, m.dim}, sink -> sink.write(bytes)));
        try (Ops ops = Backends.open("reference", 1)) {
            UnsupportedTensorTypeException e = assertThrows(UnsupportedTensorTypeException.class, () -> Model.open(file, ops));
            assertEquals("blk.0.attn_q.weight", e.tensorName());
            assertEquals(GgmlType.IQ4_NL.id(), e.ggmlType());
        }
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LoadOptions(0, DType.F32, 0));
        assertThrows(IllegalArgumentException.class, () -> new LoadOptions(4, DType.Q8_0, 0));
    }
}
