package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.AttentionLayer;
import dev.panamax.transformer.nn.KvSlots;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Rows;
import dev.panamax.transformer.nn.Scratch;

/**
 * DeepSeek's multi-head latent attention (MLA) in the absorbed form, which caches one latent vector
 * per position instead of every head's keys and values. With H heads, query/key heads of
 * {@code N + R} entries (N without, R with RoPE), value heads of {@code V}, latent rank {@code L}:
 *
 * <pre>
 *   q      = RMSNorm(x·W_qaᵀ)·W_qbᵀ  (q LoRA)  or  x·W_qᵀ             [H, N + R]
 *   [c, k_pe] = x·W_kvaᵀ ;  c = RMSNorm(c) ;  k_pe = RoPE(k_pe)       [L], [R] (k_pe shared by all heads)
 *   cache[slot][pos] = [c, k_pe]                                       L + R entries per position (slot: the row's sequence)
 *   naive (transformers): k_h = [W_kb,h · c, k_pe],  v_h = W_vb,h · c
 *   absorbed (here): q_h·k_h = (W_kb,hᵀ · q_nope,h)·c + q_pe,h·k_pe, so with
 *   q'_h   = [W_kb,hᵀ · q_nope,h, RoPE(q_pe,h)]                       [L + R]
 *   o'_h   = Σ_j softmax_j(scale · q'_h · cache[j]) cache[j]            one shared "KV head" (MQA)
 *   out_h  = W_vb,h · o'_h[0 .. L)                                      [V]  (the k_pe part of o' is unused)
 *   result = [out_1 ... out_H] · W_oᵀ
 * </pre>
 *
 * The cache is one tensor per layer, handed to {@link Ops#attention} as keys and as values.
 * The per-head products ({@code W_kb,h} and {@code W_vb,h}) are one {@link Ops#headMatmul} each for
 * all tokens and heads (2H small matmuls per layer, each a dispatch of its own, cost decode 10-20%;
 * one per token and head made prefill a matrix-vector product per token), on views made once per
 * row count and shared by the layers, so decoding allocates nothing.
 */
final class LatentAttention implements AttentionLayer {
    /**
     * @param heads      H
     * @param nopeDim    N, the entries of a query/key head without RoPE
     * @param ropeDim    R, with RoPE
     * @param valueDim   V
     * @param latentRank L ({@code kv_lora_rank})
     * @param scale      softmax scale: {@code 1/sqrt(N + R)}, times YaRN's {@code mscale²}
     * @param ropeFactor what the rotated query entries are multiplied by (YaRN's attention factor, squared:
     *                   the cached k_pe is left unscaled)
     */
    record Shape(int heads, int nopeDim, int ropeDim, int valueDim, int latentRank, float scale, float ropeFactor) {}

    /**
     * The scratch buffers of every layer's attention (they run one after another) and their views:
     * per token row {@code t} and head {@code h}, the contiguous pieces the backend's operations take
     * (a strided view across heads or tokens is not one of them). Made on first use of a row, once.
     */
    static final class Buffers {
        private final Shape s;
        private final Scratch.Buffer qLow, q, kv, qAbsorbed, attended, values;
        /** Per token: [h] views, and the token's latent / k_pe. */
        private final Tensor[][] qPe, qAbsPe;
        private final Tensor[] latent, kPe;
        /** Per row count n: q_nope [n, H, N], q'_latent and o'_latent [n, H, L] (views across tokens and heads). */
        private final Tensor[] qNopeHeads, qAbsLatentHeads, attLatentHeads;

        Buffers(Scratch scratch, Shape shape, int qLoraRank) {
            this.s = shape;
            int h = shape.heads(), l = shape.latentRank(), r = shape.ropeDim();
            this.qLow = qLoraRank == 0 ? null : scratch.buffer("mla.q_a", qLoraRank);
            this.q = scratch.buffer("mla.q", h, shape.nopeDim() + r);
            this.kv = scratch.buffer("mla.kv", 1, l + r);
            this.qAbsorbed = scratch.buffer("mla.q_absorbed", h, l + r);
            this.attended = scratch.buffer("mla.attended", h, l + r);
            this.values = scratch.buffer("mla.values", h, shape.valueDim());
            int rows = scratch.maxBatch();
            qPe = new Tensor[rows][];
            qAbsPe = new Tensor[rows][];
            latent = new Tensor[rows];
            kPe = new Tensor[rows];
            qNopeHeads = new Tensor[rows + 1];
            qAbsLatentHeads = new Tensor[rows + 1];
            attLatentHeads = new Tensor[rows + 1];
        }

        /** The first n rows' q_nope, q'_latent, o'_latent, as {@code [n, H, ·]} views. */
        private void ensureHeads(int n) {
            if (qNopeHeads[n] == null) {
                qNopeHeads[n] = q.heads(n).narrow(2, 0, s.nopeDim());
                qAbsLatentHeads[n] = qAbsorbed.heads(n).narrow(2, 0, s.latentRank());
                attLatentHeads[n] = attended.heads(n).narrow(2, 0, s.latentRank());
            }
        }

        private void ensure(int t) {
            if (latent[t] != null) {
                return;
            }
            int h = s.heads(), l = s.latentRank(), r = s.ropeDim(), nope = s.nopeDim();
            Tensor q1 = q.row(t).reshape(1, h, nope + r), qa1 = qAbsorbed.row(t).reshape(1, h, l + r);
            qPe[t] = new Tensor[h];
            qAbsPe[t] = new Tensor[h];
            for (int i = 0; i < h; i++) {
                qPe[t][i] = q1.narrow(1, i, 1).narrow(2, nope, r);                // [1, 1, R]
                qAbsPe[t][i] = qa1.narrow(1, i, 1).narrow(2, l, r);               // [1, 1, R]
            }
            latent[t] = kv.row(t).narrow(1, 0, l);                                 // [1, L]
            kPe[t] = kv.row(t).reshape(1, 1, l + r).narrow(2, l, r);               // [1, 1, R]
        }
    }

    private final Ops ops;
    private final Shape s;
    private final Buffers buf;
    private final Rope rope;
    private final Linear qA, qB, kvA, wo;
    private final Norm qANorm, kvANorm;
    private final Tensor kB, vB;
    /** This layer's latent cache, per sequence slot: {@code [S, 1, L + R]} each. */
    private final Tensor[] cache;

    /**
     * @param buffers the scratch of all layers ({@link Buffers} of this shape)
     * @param qA      the query down-projection {@code [qLoraRank, dim]}, or null: then {@code qB} is the plain {@code W_q [H(N+R), dim]}
     * @param qANorm  its norm, or null
     * @param kB      {@code [H, L, N]}: per head {@code W_kb,hᵀ}
     * @param vB      {@code [H, V, L]}
     * @param cache   this layer's latent cache {@code [slots, S, 1, L + R]} ({@code [S, 1, L + R]}: one slot)
     */
    LatentAttention(Ops ops, Buffers buffers, Rope rope, Linear qA, Norm qANorm, Linear qB, Linear kvA, Norm kvANorm,
                    Tensor kB, Tensor vB, Linear wo, Tensor cache) {
        this.ops = ops;
        this.s = buffers.s;
        this.buf = buffers;
        this.rope = rope;
        this.qA = qA;
        this.qANorm = qANorm;
        this.qB = qB;
        this.kvA = kvA;
        this.kvANorm = kvANorm;
        this.kB = kB;
        this.vB = vB;
        this.wo = wo;
        this.cache = KvSlots.of(cache);
    }

    /** {@code result [n, dim] = MLA(x [n, dim])} for the tokens {@code rows} describes, each run over its slot's cache. */
    @Override
    public void forward(Tensor x, Rows rows, Tensor result) {
        int n = rows.count();
        Buffers b = buf;
        // 1. queries: through the low-rank path (with its norm) or one projection
        if (qA != null) {
            qA.forward(x, b.qLow.rows(n));
            qANorm.forward(b.qLow.rows(n), b.qLow.rows(n));
            qB.forward(b.qLow.rows(n), b.q.rows(n));
        } else {
            qB.forward(x, b.q.rows(n));
        }
        // 2. the latent: [c, k_pe] = x·W_kvaᵀ, c = RMSNorm(c), k_pe = RoPE(k_pe)
        kvA.forward(x, b.kv.rows(n));
        // 3. absorbed queries: q'_h = [q_nope,h · W_kb,h, RoPE(q_pe,h) · ropeFactor], the products for all tokens and heads at once
        b.ensureHeads(n);
        ops.headMatmul(b.qNopeHeads[n], kB, b.qAbsLatentHeads[n]);
        for (int r = 0; r < rows.runs(); r++) {
            int first = rows.start(r), len = rows.length(r), pos = rows.position(r);
            for (int t = first; t < first + len; t++) {
                int p = pos + t - first;
                b.ensure(t);
                kvANorm.forward(b.latent[t], b.latent[t]);
                ops.rope(b.kPe[t], p, rope, b.kPe[t]);
                for (int h = 0; h < s.heads(); h++) {
                    ops.rope(b.qPe[t][h], p, rope, b.qAbsPe[t][h]);
                    if (s.ropeFactor() != 1) {
                        ops.scale(b.qAbsPe[t][h], s.ropeFactor(), b.qAbsPe[t][h]);
                    }
                }
            }
            Tensor slotCache = cache[rows.slot(r)];
            ops.copy(b.kv.heads(first, len), slotCache.rows(pos, len));
            // 4. attend over the slot's latent cache: one KV head of L + R entries, as keys and as values
            ops.attention(b.qAbsorbed.heads(first, len), slotCache, slotCache, pos, s.scale(), b.attended.heads(first, len));
        }
        // 5. each head's value: out_h = o'_h[0, L) · W_vb,hᵀ; then mix the heads
        ops.headMatmul(b.attLatentHeads[n], vB, b.values.heads(n));
        wo.forward(b.values.rows(n), result);
    }
}
