package dev.panamax.transformer.family;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.Scratch;

/**
 * DeepSeek's multi-head latent attention (MLA) in the absorbed form, which caches one latent vector
 * per position instead of every head's keys and values. With H heads, query/key heads of
 * {@code N + R} entries (N without, R with RoPE), value heads of {@code V}, latent rank {@code L}:
 *
 * <pre>
 *   q      = RMSNorm(x·W_qaᵀ)·W_qbᵀ  (q LoRA)  or  x·W_qᵀ             [H, N + R]
 *   [c, k_pe] = x·W_kvaᵀ ;  c = RMSNorm(c) ;  k_pe = RoPE(k_pe)       [L], [R] (k_pe shared by all heads)
 *   cache[pos] = [c, k_pe]                                             L + R entries per position
 *   naive (transformers): k_h = [W_kb,h · c, k_pe],  v_h = W_vb,h · c
 *   absorbed (here): q_h·k_h = (W_kb,hᵀ · q_nope,h)·c + q_pe,h·k_pe, so with
 *   q'_h   = [W_kb,hᵀ · q_nope,h, RoPE(q_pe,h)]                       [L + R]
 *   o'_h   = Σ_j softmax_j(scale · q'_h · cache[j]) cache[j]            one shared "KV head" (MQA)
 *   out_h  = W_vb,h · o'_h[0 .. L)                                      [V]  (the k_pe part of o' is unused)
 *   result = [out_1 ... out_H] · W_oᵀ
 * </pre>
 *
 * The cache is one tensor per layer, handed to {@link Ops#attention} as keys and as values.
 * The per-head products are one {@link Ops#matmul} per head on strided views (made once per
 * batch size, so decoding allocates nothing).
 */
final class LatentAttention {
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

    private final Ops ops;
    private final Shape s;
    private final Rope rope;
    private final Linear qA, qB, kvA, wo;
    private final Norm qANorm, kvANorm;
    private final Tensor[] kB, vB;
    private final Tensor cache;
    private final Scratch.Buffer qLow, q, kv, qAbsorbed, attended, values;
    private final int maxBatch;
    /** Per batch size n, the strided views (made on first use). */
    private final Views[] views;

    /**
     * @param qA      the query down-projection {@code [qLoraRank, dim]}, or null: then {@code qB} is the plain {@code W_q [H(N+R), dim]}
     * @param qANorm  its norm, or null
     * @param kB      per head {@code [L, N]}: {@code W_kb,hᵀ}
     * @param vB      per head {@code [V, L]}
     * @param cache   this layer's latent cache {@code [S, 1, L + R]}
     */
    LatentAttention(Ops ops, Scratch scratch, Shape shape, Rope rope, Linear qA, Norm qANorm, Linear qB, Linear kvA, Norm kvANorm,
                    Tensor[] kB, Tensor[] vB, Linear wo, Tensor cache) {
        this.ops = ops;
        this.s = shape;
        this.rope = rope;
        this.qA = qA;
        this.qANorm = qANorm;
        this.qB = qB;
        this.kvA = kvA;
        this.kvANorm = kvANorm;
        this.kB = kB.clone();
        this.vB = vB.clone();
        this.wo = wo;
        this.cache = cache;
        int h = shape.heads(), l = shape.latentRank(), r = shape.ropeDim();
        this.qLow = qA == null ? null : scratch.buffer("mla.q_a", qA.outFeatures());
        this.q = scratch.buffer("mla.q", h, shape.nopeDim() + r);
        this.kv = scratch.buffer("mla.kv", 1, l + r);
        this.qAbsorbed = scratch.buffer("mla.q_absorbed", h, l + r);
        this.attended = scratch.buffer("mla.attended", h, l + r);
        this.values = scratch.buffer("mla.values", h, shape.valueDim());
        this.maxBatch = scratch.maxBatch();
        this.views = new Views[maxBatch + 1];
    }

    /** The views of the first n rows of the buffers: per head, and the RoPE/latent parts. */
    private final class Views {
        final Tensor[] qNope = new Tensor[s.heads()], qAbsLatent = new Tensor[s.heads()], attLatent = new Tensor[s.heads()],
                valueHead = new Tensor[s.heads()];
        final Tensor qPe, qAbsPe, latent, kPe, kv3;

        Views(int n) {
            int l = s.latentRank(), r = s.ropeDim(), nope = s.nopeDim();
            Tensor q3 = q.heads(n), qa3 = qAbsorbed.heads(n), att3 = attended.heads(n), v3 = values.heads(n);
            for (int h = 0; h < s.heads(); h++) {
                qNope[h] = q3.select(1, h).narrow(1, 0, nope);
                qAbsLatent[h] = qa3.select(1, h).narrow(1, 0, l);
                attLatent[h] = att3.select(1, h).narrow(1, 0, l);
                valueHead[h] = v3.select(1, h);
            }
            qPe = q3.narrow(2, nope, r);
            qAbsPe = qa3.narrow(2, l, r);
            kv3 = kv.heads(n);
            latent = kv.rows(n).narrow(1, 0, l);
            kPe = kv3.narrow(2, l, r);
        }
    }

    /** {@code result [n, dim] = MLA(x [n, dim])} for the tokens at positions {@code pos ...}. */
    void forward(Tensor x, int pos, Tensor result) {
        int n = (int) x.size(0);
        Views v = views[n] != null ? views[n] : (views[n] = new Views(n));
        // 1. queries: through the low-rank path (with its norm) or one projection
        if (qA != null) {
            qA.forward(x, qLow.rows(n));
            qANorm.forward(qLow.rows(n), qLow.rows(n));
            qB.forward(qLow.rows(n), q.rows(n));
        } else {
            qB.forward(x, q.rows(n));
        }
        // 2. the latent: c = RMSNorm(x·W_kvaᵀ [0, L)), k_pe = RoPE(x·W_kvaᵀ [L, L + R)); cache it
        kvA.forward(x, kv.rows(n));
        kvANorm.forward(v.latent, v.latent);
        ops.rope(v.kPe, pos, rope, v.kPe);
        ops.copy(v.kv3, cache.rows(pos, n));
        // 3. absorbed queries: q'_h = [q_nope,h · W_kb,h, RoPE(q_pe,h) · ropeFactor]
        ops.rope(v.qPe, pos, rope, v.qPe);
        if (s.ropeFactor() == 1) {
            ops.copy(v.qPe, v.qAbsPe);
        } else {
            ops.scale(v.qPe, s.ropeFactor(), v.qAbsPe);
        }
        for (int h = 0; h < s.heads(); h++) {
            ops.matmul(v.qNope[h], kB[h], v.qAbsLatent[h]);
        }
        // 4. attend over the latent cache, one KV head of L + R entries for keys and values
        ops.attention(qAbsorbed.heads(n), cache, cache, pos, s.scale(), attended.heads(n));
        // 5. each head's value: out_h = o'_h[0, L) · W_vb,hᵀ; then mix the heads
        for (int h = 0; h < s.heads(); h++) {
            ops.matmul(v.attLatent[h], vB[h], v.valueHead[h]);
        }
        wo.forward(values.rows(n), result);
    }
}
