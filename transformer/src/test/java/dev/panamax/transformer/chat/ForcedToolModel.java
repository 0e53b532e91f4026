package dev.panamax.transformer.chat;

import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.tensor.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-layer Llama whose weights, not a seam, decide what it says: Panamax has no logit bias or grammar to force
 * a reply, so this model is built to give exactly two. Its vocabulary is the ChatML control tokens, three
 * user-defined tokens ({@link #CALL}, {@link #ANSWER}, {@code <tool_response>}) and the 256 byte tokens; every
 * prompt is bytes around them, and ends in the byte of {@code "\n"} ({@code <|im_start|>assistant\n}).
 *
 * <ul>
 * <li>Embeddings: {@code "\n"} is e0, CALL e1, ANSWER e2, {@code <tool_response>} e3, every other token e4.</li>
 * <li>Attention: zero queries and keys, so each position averages the values of all positions so far; the value
 *     and output projections carry only dimension 3, times {@value #GAIN}: the residual gains {@code f = 4 GAIN/n}
 *     at dimension 3 when a {@code <tool_response>} is among the n positions, else 0. The feed-forward is zero.</li>
 * <li>Logits: CALL = x0, ANSWER = x3, {@code <|im_end|>} = 100 (x1 + x2), all others 0.</li>
 * </ul>
 *
 * So after a prompt without a tool result it writes CALL, then {@code <|im_end|>}; after one with a tool result
 * (1 &lt; f &lt; 100, prompts of 80 to 8000 tokens) ANSWER, then {@code <|im_end|>}. The template, the tokenizer,
 * the prompt's rendering of tools and results, and the reading of the call are Panamax's real code; that the
 * model "chooses" to call the tool is built in.
 */
public final class ForcedToolModel {
    /** The tool call the model writes, in the Hermes/Qwen syntax. */
    public static final String CALL = "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}\n</tool_call>";
    /** What it answers once it has seen a tool's result. */
    public static final String ANSWER = "The sum is five.";
    public static final float GAIN = 2000;

    /** A Hermes-style template written for these tests (Qwen 2.5's layout: tools in the system turn, results as user turns). */
    public static final String HERMES_JINJA = """
            {%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}\
            {%- endif %}{{- '# Tools\\n\\nYou may call functions; their signatures are within <tools></tools>:\\n<tools>' }}\
            {%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}\
            {{- '\\n</tools>\\n\\nWrite each call as <tool_call>{"name": <name>, "arguments": <object>}</tool_call><|im_end|>\\n' }}\
            {%- elif messages[0].role == 'system' %}{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}{%- endif %}\
            {%- for message in messages %}\
            {%- if message.role == 'user' or (message.role == 'assistant' and not message.tool_calls) %}\
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
            {%- elif message.role == 'assistant' %}{{- '<|im_start|>assistant' }}{%- if message.content %}{{- '\\n' + message.content }}\
            {%- endif %}{%- for call in message.tool_calls %}{%- set f = call.function %}\
            {{- '\\n<tool_call>\\n{"name": "' + f.name + '", "arguments": ' + (f.arguments | tojson) + '}\\n</tool_call>' }}\
            {%- endfor %}{{- '<|im_end|>\\n' }}\
            {%- elif message.role == 'tool' %}{{- '<|im_start|>user\\n<tool_response>\\n' + message.content + '\\n</tool_response><|im_end|>\\n' }}\
            {%- endif %}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}""";

    private static final int DIM = 16, FFN = 8, CONTEXT = 4096;
    private static final int IM_END = 4, CALL_ID = 5, ANSWER_ID = 6, RESPONSE_ID = 7, FIRST_BYTE = 8;

    private ForcedToolModel() {
    }

    /** Writes the model with {@code template} as its chat template. */
    public static Path write(Path file, String template) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", CALL, ANSWER,
                "<tool_response>"));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        int vocab = tokens.size();
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i == 0 ? 2 : i <= IM_END ? 3 : i < FIRST_BYTE ? 4 : 6;
        }
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "panamax forced tool caller");
        w.putUInt32("llama.context_length", CONTEXT);
        w.putUInt32("llama.embedding_length", DIM);
        w.putUInt32("llama.block_count", 1);
        w.putUInt32("llama.feed_forward_length", FFN);
        w.putUInt32("llama.attention.head_count", 1);
        w.putUInt32("llama.attention.head_count_kv", 1);
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putFloat32Array("tokenizer.ggml.scores", new float[vocab]);
        w.putInt32Array("tokenizer.ggml.token_type", types);
        w.putUInt32("tokenizer.ggml.unknown_token_id", 0);
        w.putUInt32("tokenizer.ggml.bos_token_id", 1);
        w.putUInt32("tokenizer.ggml.eos_token_id", IM_END);
        w.putBool("tokenizer.ggml.add_bos_token", false);
        w.putString("tokenizer.chat_template", template);
        int newline = FIRST_BYTE + '\n';
        float[] embedding = new float[vocab * DIM];
        for (int t = 0; t < vocab; t++) {
            int d = t == newline ? 0 : t == CALL_ID ? 1 : t == ANSWER_ID ? 2 : t == RESPONSE_ID ? 3 : 4;
            embedding[t * DIM + d] = 1;
        }
        tensor(w, "token_embd.weight", embedding, vocab, DIM);
        tensor(w, "output_norm.weight", ones(DIM), DIM);
        float[] output = new float[vocab * DIM];
        output[CALL_ID * DIM] = 1;
        output[ANSWER_ID * DIM + 3] = 1;
        output[IM_END * DIM + 1] = 100;
        output[IM_END * DIM + 2] = 100;
        tensor(w, "output.weight", output, vocab, DIM);
        tensor(w, "blk.0.attn_norm.weight", ones(DIM), DIM);
        tensor(w, "blk.0.attn_q.weight", new float[DIM * DIM], DIM, DIM);
        tensor(w, "blk.0.attn_k.weight", new float[DIM * DIM], DIM, DIM);
        float[] v = new float[DIM * DIM], o = new float[DIM * DIM];
        v[3 * DIM + 3] = 1;
        o[3 * DIM + 3] = GAIN;
        tensor(w, "blk.0.attn_v.weight", v, DIM, DIM);
        tensor(w, "blk.0.attn_output.weight", o, DIM, DIM);
        tensor(w, "blk.0.ffn_norm.weight", ones(DIM), DIM);
        tensor(w, "blk.0.ffn_gate.weight", new float[FFN * DIM], FFN, DIM);
        tensor(w, "blk.0.ffn_up.weight", new float[FFN * DIM], FFN, DIM);
        tensor(w, "blk.0.ffn_down.weight", new float[DIM * FFN], DIM, FFN);
        w.write(file);
        return file;
    }

    private static float[] ones(int n) {
        float[] g = new float[n];
        java.util.Arrays.fill(g, 1);
        return g;
    }

    private static void tensor(GgufWriter w, String name, float[] values, long... shape) {
        w.addTensor(name, DType.F32, shape, MemorySegment.ofArray(values));
    }
}
