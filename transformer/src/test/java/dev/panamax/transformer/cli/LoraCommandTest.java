package dev.panamax.transformer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.TinyModels;
import dev.panamax.transformer.lora.LoraAdapter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code panamax lora merge}, {@code inspect} of adapters, and the {@code --lora FILE[:SCALE]} syntax. */
@ExtendWith(Seeded.class)
class LoraCommandTest {
    /** Merged (weights rounded once to F32) and unmerged (the change added in F32) forwards: each within
     * TransformerForwardTest's F32 bound 2e-4 (of the largest logit) of the float64 oracle, so within twice that of each other. */
    private static final double MERGED_VS_UNMERGED = 4e-4;

    @TempDir
    Path dir;

    @Test
    void merged_gguf_and_peft_adapters_give_the_unmerged_logits(Random random) throws Exception {
        Path[] files = TinyModels.llamaWithLora(random, dir);
        Path merged = dir.resolve("merged.gguf");
        Run r = run("lora", "merge", "--model", files[0].toString(), "--lora", files[1] + ":0.5", "--lora", files[2] + ":-0.25",
                "--out", merged.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("7") || r.out.contains("merged"), r.out);
        int[] prompt = {3, 17, 42, 99, 5};
        try (Ops ops = Backends.open("cpu", 2);
             Model unmerged = Model.open(files[0], ops, new LoadOptions(8, DType.F32, 0)
                     .withAdapter(LoraAdapter.open(files[1]), 0.5f).withAdapter(LoraAdapter.open(files[2]), -0.25f));
             Model m = Model.open(merged, ops, new LoadOptions(8, DType.F32, 0))) {
            float[] a = unmerged.transformer().forward(prompt, 0), b = m.transformer().forward(prompt, 0);
            double max = 0, diff = 0;
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff <= MERGED_VS_UNMERGED * Math.max(1, max), "max |Δ logit| " + diff + " of " + max);
        }
    }

    @Test
    void inspect_shows_rank_alpha_and_targets(Random random) throws Exception {
        Path[] files = TinyModels.llamaWithLora(random, dir);
        for (Path adapter : List.of(files[1], files[2])) {
            Run r = run("inspect", adapter.toString());
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.contains("rank 4") && r.out.contains("alpha 8.0")
                    && r.out.contains("attn_q") && r.out.contains("ffn_down") && r.out.contains("21 tensors"), r.out);
        }
    }

    @Test
    void a_random_adapter_has_the_rank_and_targets_asked_and_changes_the_base(Random random) throws Exception {
        Path[] files = TinyModels.llamaWithLora(random, dir);
        Path adapter = dir.resolve("random.gguf");
        Run r = run("lora", "random", "--model", files[0].toString(), "--rank", "5", "--targets", "attn_v,ffn_up",
                "--seed", Long.toString(random.nextLong()), "--out", adapter.toString());
        assertEquals(0, r.code, r.err);
        LoraAdapter lora = LoraAdapter.open(adapter);
        assertEquals(5, lora.rank());
        assertEquals(5f, lora.alpha());
        assertEquals(List.of("attn_v", "ffn_up"), lora.targets());
        int[] prompt = {3, 17, 42, 99, 5};
        try (Ops ops = Backends.open("cpu", 2);
             Model base = Model.open(files[0], ops, new LoadOptions(8, DType.F32, 0));
             Model adapted = Model.open(files[0], ops, new LoadOptions(8, DType.F32, 0).withAdapter(lora, 1f))) {
            float[] a = base.transformer().forward(prompt, 0), b = adapted.transformer().forward(prompt, 0);
            assertTrue(!java.util.Arrays.equals(a, b), "the adapter changes the logits");
        }
        assertEquals(2, run("lora", "random", "--model", files[0].toString(), "--rank", "0", "--out", adapter.toString()).code);
    }

    @Test
    void lora_option_takes_an_optional_scale() {
        assertEquals(new LoraSpec(Path.of("a.gguf"), 1f), LoraSpec.parse("a.gguf"));
        assertEquals(new LoraSpec(Path.of("dir/a.gguf"), 0.5f), LoraSpec.parse("dir/a.gguf:0.5"));
        assertEquals(new LoraSpec(Path.of("a.gguf"), -1f), LoraSpec.parse("a.gguf:-1"));
        assertNull(LoraSpec.parse("a.gguf:half"));
        assertNull(LoraSpec.parse("a.gguf:NaN"));
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(List.of());
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
