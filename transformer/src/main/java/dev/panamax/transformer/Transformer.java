package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Llama-family decoder on any {@link Ops} backend: token ids in, next-token logits out.
 *
 * <pre>
 *   x = embed(tokens)                         [n, dim]
 *   for each block: x = block(x)              attention + feed-forward, with residuals
 *   logits = RMSNorm(x[last]) · Woutputᵀ       [vocab]
 * </pre>
 *
 * A prompt is processed as a batch ({@code n} tokens per matrix multiplication, up to
 * {@code maxBatch} at a time); generation then calls {@link #forward} with one token at a time.
 * The KV cache remembers earlier positions: call {@code forward(tokens, startPos)} with
 * {@code startPos} equal to the number of tokens already processed (0 starts a new sequence).
 * One instance is driven by one thread at a time. Memory (scratch and cache) belongs to the
 * arena given at construction.
 */
public final class Transformer {
    private final ModelConfig config;
    private final Weights weights;
    private final Ops ops;
    private final KvCache cache;
    private final Activations act;
    private final List<TransformerBlock> blocks;
    private final Tensor lastRowX;

    /**
     * @param maxBatch  tokens processed per step of a prompt (scratch buffers are sized for it)
     * @param cacheType F32 or F16 for the KV cache
     */
    public Transformer(ModelConfig config, Weights weights, Ops ops, Arena arena, int maxBatch, DType cacheType) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        this.config = config;
        this.weights = weights;
        this.ops = ops;
        this.cache = new KvCache(ops, arena, config, cacheType);
        this.act = new Activations(ops, arena, config, Math.min(maxBatch, config.contextLength()));
        Rope rope = config.rope().toRope();
        List<TransformerBlock> list = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            list.add(new TransformerBlock(ops, config, weights.layers().get(l), l, rope, act.maxBatch));
        }
        this.blocks = List.copyOf(list);
        this.lastRowX = act.x.rows(0, 1);
    }

    public ModelConfig config() {
        return config;
    }

    public Ops ops() {
        return ops;
    }

    public KvCache cache() {
        return cache;
    }

    /** Tokens processed per batch of a prompt. */
    public int maxBatch() {
        return act.maxBatch;
    }

    /**
     * Runs {@code tokens} at positions {@code startPos ...} and returns the logits after the last one.
     *
     * @throws IllegalArgumentException if a token id is outside the vocabulary, or the tokens do not
     *                                  fit in the context ({@code startPos + tokens.length > contextLength})
     */
    public float[] forward(int[] tokens, int startPos) {
        float[] logits = new float[config.vocabSize()];
        forward(tokens, startPos, logits);
        return logits;
    }

    /** As {@link #forward(int[], int)}, writing the logits into {@code logits} (length vocab): no allocation when decoding. */
    public void forward(int[] tokens, int startPos, float[] logits) {
        checkLogits(logits);
        run(tokens, startPos, null);
        // logits = RMSNorm(x[last]) · Woutputᵀ; the last token's row is row n-1 of the final batch
        int n = (tokens.length - 1) % act.maxBatch + 1;
        Tensor last = n == 1 ? lastRowX : act.x.rows(n - 1, 1);
        project(last, logits);
    }

    /** Runs {@code tokens} at positions {@code startPos ...} and returns the logits after every one of them. */
    public float[][] forwardAll(int[] tokens, int startPos) {
        float[][] all = new float[tokens.length][];
        run(tokens, startPos, all);
        return all;
    }

    private void run(int[] tokens, int startPos, float[][] allLogits) {
        check(tokens, startPos);
        for (int off = 0; off < tokens.length; off += act.maxBatch) {
            int n = Math.min(act.maxBatch, tokens.length - off);
            Activations.Batch b = act.batch(n);
            int[] ids = off == 0 && n == tokens.length ? tokens : Arrays.copyOfRange(tokens, off, off + n);
            // x = embedding rows of the tokens
            ops.embed(weights.tokenEmbedding(), ids, b.x);
            for (TransformerBlock block : blocks) {
                block.forward(act, b, cache, startPos + off);
            }
            if (allLogits != null) {
                for (int t = 0; t < n; t++) {
                    allLogits[off + t] = new float[config.vocabSize()];
                    project(act.x.rows(t, 1), allLogits[off + t]);
                }
            }
        }
    }

    /** logits = RMSNorm(xRow) * g_out · Woutputᵀ, copied to the host. */
    private void project(Tensor xRow, float[] logits) {
        Tensor normed = act.xbRows[0];
        ops.rmsNorm(xRow, weights.outputNorm(), config.rmsEps(), normed);
        ops.matmul(normed, weights.output(), act.logits);
        if (act.logitsHost != act.logits) {
            ops.copy(act.logits, act.logitsHost);
        }
        MemorySegment.copy(act.logitsHost.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, logits, 0, logits.length);
    }

    private void check(int[] tokens, int startPos) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        if (startPos < 0 || (long) startPos + tokens.length > config.contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens at position " + startPos + " do not fit in the context of "
                    + config.contextLength() + " positions");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + i + " = " + tokens[i] + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    private void checkLogits(float[] logits) {
        if (logits.length != config.vocabSize()) {
            throw new IllegalArgumentException("logits array has length " + logits.length + ", vocabulary is " + config.vocabSize());
        }
    }
}
