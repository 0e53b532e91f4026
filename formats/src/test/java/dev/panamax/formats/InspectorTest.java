package dev.panamax.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgmlType;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.formats.safetensors.SafetensorsWriter;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorTest {
    @TempDir
    Path dir;

    private static String inspect(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Inspector.inspect(file, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_gguf_file_prints_layout_model_metadata_and_tensor_table() throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            tokens.add("tok" + i);
        }
        Path file = dir.resolve("m.gguf");
        new GgufWriter().alignment(64).putString("general.architecture", "llama").putUInt32("llama.embedding_length", 32)
                .putUInt32("llama.block_count", 3).putString("general.description", "line one\nline \"two\"")
                .putStringArray("tokenizer.ggml.tokens", tokens).putString("tokenizer.ggml.model", "llama")
                .addTensor("token_embd.weight", DType.F32, new long[] {100, 32}, MemorySegment.ofArray(new float[3200]))
                .addTensor("blk.0.ffn_up.weight", GgmlType.IQ4_XS, new long[] {2, 256}, sink -> sink.write(new byte[272], 0, 272))
                .write(file);
        String text = inspect(file);
        assertTrue(text.contains("GGUF v3, alignment 64"), text);
        assertTrue(text.matches("(?s).*architecture\\s+llama.*"), text);
        assertTrue(text.matches("(?s).*block count\\s+3.*"), text);
        assertTrue(text.matches("(?s).*context length\\s+- \\(metadata\\[\"llama.context_length\"\\]: absent\\).*"), text);
        assertTrue(text.contains("metadata (7 keys):"), text);
        assertTrue(text.matches("(?s).*general.alignment\\s+uint32\\s+64.*"), text);
        assertTrue(text.contains("\"line one\\nline \\\"two\\\"\""), text);
        assertTrue(text.matches("(?s).*tokenizer.ggml.tokens\\s+\\[string\\]\\s+\\[\"tok0\", \"tok1\", .*\"tok7\", \\.\\.\\.\\] \\(100 entries\\).*"), text);
        assertTrue(text.contains("tensors (2):"), text);
        assertTrue(text.matches("(?s).*\\s0\\s+token_embd.weight\\s+F32\\s+\\[100, 32\\]\\s+3,200\\s+0\\s+12,800.*"), text);
        assertTrue(text.matches("(?s).*\\s1\\s+blk.0.ffn_up.weight\\s+IQ4_XS\\s+\\[2, 256\\]\\s+512\\s+12,800\\s+272\\s+\\(not supported by Panamax\\).*"), text);
        assertTrue(text.contains("totals: 2 tensors, 3,712 elements, 13,072 bytes"), text);
    }

    @Test
    void a_safetensors_file_prints_its_tensor_table_and_totals() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter().putMetadata("format", "pt").add("layer.weight", Tensor.of(arena, new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                    .add("layer.bias", Tensor.of(arena, new float[] {7, 8}, 2)).write(file);
        }
        String text = inspect(file);
        assertTrue(text.contains("safetensors") && text.contains("layer.weight") && text.contains("[2, 3]"), text);
        assertTrue(text.contains("totals: 2 tensors, 8 elements, 32 bytes of tensor data"), text);
    }

    @Test
    void files_are_recognized_by_their_magic_not_their_name() throws IOException {
        Path gguf = dir.resolve("model.bin");
        new GgufWriter().putString("general.architecture", "llama").write(gguf);
        assertEquals("GGUF", Inspector.detect(gguf).name());

        Path st = dir.resolve("x.gguf");
        byte[] json = "{\"__metadata__\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[8 + json.length];
        b[0] = (byte) json.length;
        System.arraycopy(json, 0, b, 8, json.length);
        Files.write(st, b);
        assertEquals("safetensors", Inspector.detect(st).name());
        assertTrue(inspect(st).contains("totals: 0 tensors"), inspect(st));

        Path junk = dir.resolve("junk.gguf");
        Files.write(junk, "hello world".getBytes(StandardCharsets.US_ASCII));
        FormatException e = assertThrows(FormatException.class, () -> Inspector.inspect(junk, System.out));
        assertEquals("magic", e.field());
        assertEquals("0x68656c6c6f20776f", e.value());
    }
}
