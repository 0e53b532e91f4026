package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;

/**
 * Causal grouped-query self-attention with rotary positions and a KV cache, the attention of every
 * family here. For the {@code n} tokens of a step ({@link Rows}: runs of consecutive positions
 * {@code pos ... pos + len - 1} of one sequence slot each; one run for a single sequence):
 *
 * <pre>
 *   q = x·W_qᵀ (+ b_q),  k = x·W_kᵀ (+ b_k),  v = x·W_vᵀ (+ b_v)     all n rows; biases: in the Linear
 *   q, k = Norm(q), Norm(k)                                          optional (Qwen3: per head)
 *   for each run (slot, pos, len):
 *     q, k = RoPE(q, pos), RoPE(k, pos)
 *     cache[slot][pos - first ..] = k, v                             keys stored rotated
 *     out = softmax(scale · q·K[slot]ᵀ, causal) · V[slot]
 *   result = out · W_oᵀ                                              all n rows
 * </pre>
 *
 * <p><b>Window caches.</b> Row {@code r} of a slot's cache holds position {@code first + r}. A layer
 * that sees every position keeps {@code first = 0} and a cache of the whole context. A sliding-window
 * layer (window {@code W}: a query at {@code p} sees {@code p - W + 1 ... p}, llama.cpp's
 * {@code is_masked_swa} for {@code LLAMA_SWA_TYPE_STANDARD}) may be given a cache of only
 * {@code R = W - 1 + C} rows ({@code C}: the most rows of one step, {@link dev.panamax.transformer.KvCache}):
 * a run of {@code len <= C} rows at {@code pos} reads positions {@code pos - W + 1 ... pos + len - 1},
 * at most {@code R}. When the run would write past row {@code R}, the {@code W - 1} positions it still
 * needs move to rows {@code 0 ... W - 2} first ({@code first} becomes {@code pos - W + 1}): about one row
 * moved per position written. The attention call then sees positions relative to {@code first}
 * ({@code startPos = pos - first}): the window and causal masks are differences of positions and the keys
 * were rotated by their absolute positions before they were stored, so the scores, the visible set and
 * its order are those of a full cache, and the logits the same bit for bit. A slot can go on from
 * position {@code p} ({@link #canContinue}) when {@code p = 0} or {@code first <= p - W + 1}.
 */
public final class Attention implements AttentionLayer {
    /**
     * What varies between families besides the weights.
     *
     * <p>A sliding window, a logit soft-cap and attention sinks are {@link #variant}, handed to
     * {@link Ops#attention} in {@link #forward} step 5, and nowhere else.
     *
     * @param heads    query heads H
     * @param kvHeads  key/value heads Hkv (H is a multiple)
     * @param headDim  entries per head D (need not be dim / H)
     * @param rope     rotary embedding of q and k
     * @param scale    attention logit scale, usually {@code 1 / sqrt(D)}
     * @param qkNorm   where the optional Q/K norms apply
     * @param queryGain null, or F32 {@code [D]} multiplying every query head after RoPE: LongRoPE's attention
     *                  factor {@code m} on q and k's rotated entries is {@code m²} on q's alone (the scores are
     *                  {@code q·k}; a gain equal within each rotated pair commutes with the rotation)
     * @param variant   what {@link Ops#attention} does beyond plain causal attention: a sliding window
     *                  (Phi-3, StarCoder 2), a soft-cap, sinks
     */
    public record Options(int heads, int kvHeads, int headDim, Rope rope, float scale, QkNormScope qkNorm,
                          Tensor queryGain, dev.panamax.tensor.Attention variant) {
        public Options {
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headDim <= 0) {
                throw new IllegalArgumentException(heads + " query heads, " + kvHeads + " KV heads of " + headDim);
            }
            if (variant == null) {
                throw new IllegalArgumentException("attention variant is required (Attention.CAUSAL for none)");
            }
        }

        /** Options without a query gain. */
        public Options(int heads, int kvHeads, int headDim, Rope rope, float scale, QkNormScope qkNorm,
                       dev.panamax.tensor.Attention variant) {
            this(heads, kvHeads, headDim, rope, scale, qkNorm, null, variant);
        }

        /** Plain causal attention (no window, soft-cap or sinks), no query gain. */
        public Options(int heads, int kvHeads, int headDim, Rope rope, float scale, QkNormScope qkNorm) {
            this(heads, kvHeads, headDim, rope, scale, qkNorm, null, dev.panamax.tensor.Attention.CAUSAL);
        }

        /** The usual: scale {@code 1 / sqrt(headDim)}, Q/K norms (if any) per head. */
        public static Options standard(int heads, int kvHeads, int headDim, Rope rope) {
            return new Options(heads, kvHeads, headDim, rope, (float) (1 / Math.sqrt(headDim)), QkNormScope.PER_HEAD, null,
                    dev.panamax.tensor.Attention.CAUSAL);
        }

        /** These options with the Q/K norms (if any) applied in {@code scope}. */
        public Options withQkNorm(QkNormScope scope) {
            return new Options(heads, kvHeads, headDim, rope, scale, scope, queryGain, variant);
        }

        /** These options with the attention logit scale {@code s} (Granite: its attention multiplier). */
        public Options withScale(float s) {
            return new Options(heads, kvHeads, headDim, rope, s, qkNorm, queryGain, variant);
        }

        /** These options with a per-entry gain of every query head {@code [D]} after RoPE (null: none). */
        public Options withQueryGain(Tensor gain) {
            return new Options(heads, kvHeads, headDim, rope, scale, qkNorm, gain, variant);
        }

        /** These options with a sliding window of {@code window} positions, the query's own included (0: none). */
        public Options withWindow(int window) {
            return new Options(heads, kvHeads, headDim, rope, scale, qkNorm, queryGain, variant.withWindow(window));
        }

        /** These options with {@code newVariant}. */
        public Options withVariant(dev.panamax.tensor.Attention newVariant) {
            return new Options(heads, kvHeads, headDim, rope, scale, qkNorm, queryGain, newVariant);
        }
    }

    /** Whether a Q/K norm normalizes each head's {@code D} entries (Qwen3, Gemma 3) or the whole projection (OLMo 2). */
    public enum QkNormScope { PER_HEAD, WHOLE }

    private final Ops ops;
    private final Options o;
    private final Linear wq, wk, wv, wo;
    private final Norm qNorm, kNorm;
    /** This layer's cache, per sequence slot: {@code [S, Hkv, D]} each. */
    private final Tensor[] keys, values;
    /** Rows of each slot's cache region: the context, or less for a sliding-window layer (a window cache). */
    private final int capacity;
    /** Per slot: the position held in row 0 of its cache region. */
    private final int[] firstHeld;
    private final Scratch.Buffer q, k, v, out;

    /**
     * @param qNorm  null, or the norm of q (gain {@code [D]} per head, or {@code [H·D]} whole)
     * @param kNorm  null, or the norm of k
     * @param keys   this layer's key cache {@code [slots, R, Hkv, D]} ({@code [R, Hkv, D]}: one slot), {@code R} the
     *               context, or for a sliding-window layer at least {@code W - 1} more than the rows of a step
     * @param values this layer's value cache, shaped as {@code keys}
     */
    public Attention(Ops ops, Scratch scratch, Options options, Linear wq, Linear wk, Linear wv, Linear wo,
                     Norm qNorm, Norm kNorm, Tensor keys, Tensor values) {
        this.ops = ops;
        this.o = options;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.keys = KvSlots.of(keys);
        this.values = KvSlots.of(values);
        this.capacity = (int) this.keys[0].size(0);
        this.firstHeld = new int[this.keys.length];
        this.q = scratch.buffer("attention.q", o.heads(), o.headDim());
        this.k = scratch.buffer("attention.k", o.kvHeads(), o.headDim());
        this.v = scratch.buffer("attention.v", o.kvHeads(), o.headDim());
        this.out = scratch.buffer("attention.out", o.heads(), o.headDim());
    }

    /**
     * As above, with this layer's attention variant replacing the options' one: a sliding window, a
     * soft cap or sinks (gpt-oss: a window on every other layer, sinks on all).
     */
    public Attention(Ops ops, Scratch scratch, Options options, Linear wq, Linear wk, Linear wv, Linear wo,
                     Norm qNorm, Norm kNorm, Tensor keys, Tensor values, dev.panamax.tensor.Attention variant) {
        this(ops, scratch, options.withVariant(variant), wq, wk, wv, wo, qNorm, kNorm, keys, values);
    }

    /** {@code result [n, dim] = Attention(x [n, dim])} for the tokens {@code rows} describes. */
    @Override
    public void forward(Tensor x, Rows rows, Tensor result) {
        int n = rows.count();
        // 2. project: q = x·Wqᵀ + bq,  k = x·Wkᵀ + bk,  v = x·Wvᵀ + bv   (biases: Qwen2 only)
        wq.forward(x, q.rows(n));
        wk.forward(x, k.rows(n));
        wv.forward(x, v.rows(n));
        if (qNorm != null) {
            // 2b. normalize q and k in place (Qwen3: RMSNorm over each head's D entries, before RoPE)
            boolean perHead = o.qkNorm() == QkNormScope.PER_HEAD;
            Tensor qn = perHead ? q.headRows(n) : q.rows(n), kn = perHead ? k.headRows(n) : k.rows(n);
            qNorm.forward(qn, qn);
            kNorm.forward(kn, kn);
        }

        // 3.-5. per run of one sequence: rows first .. first+len-1 are its positions pos .. pos+len-1
        for (int r = 0; r < rows.runs(); r++) {
            int first = rows.start(r), len = rows.length(r), pos = rows.position(r);
            Tensor q3 = q.heads(first, len), k3 = k.heads(first, len), v3 = v.heads(first, len);
            // 3. rotate q and k by their positions: each pair (a, b) of a head at position p turns by p·θ_i
            ops.rope(q3, pos, o.rope(), q3);
            ops.rope(k3, pos, o.rope(), k3);
            if (o.queryGain() != null) {
                // 3b. q[t,h] *= gain (LongRoPE's attention factor, squared, on the rotated entries)
                ops.mul(q.headRows(first, len), o.queryGain(), q.headRows(first, len));
            }

            // 4. remember k and v at positions pos .. pos+len-1 of this sequence (converted to the cache's dtype)
            //    at rows pos - base ... of the slot's region (base: the position of row 0, moved on in a window cache)
            Tensor keys = this.keys[rows.slot(r)], values = this.values[rows.slot(r)];
            int base = place(rows.slot(r), pos, len, keys, values);
            ops.copyRows(k3, keys, pos - base); // no row views: a decoded token allocates nothing (issue 18 target 6)
            ops.copyRows(v3, values, pos - base);

            // 5. attend: out[t,h] = Σ_j softmax_j(q[t,h]·k[j,g] · scale) v[j,g], j ≤ pos+t, g = h / (H/Hkv)
            //    (j relative to base: the masks depend on differences of positions only)
            ops.attention(q3, keys, values, pos - base, o.scale(), o.variant(), out.heads(first, len));
        }

        // 6. mix the heads: result = out·Woᵀ (+ b_o: gpt-oss)
        wo.forward(out.rows(n), result);
    }

    /**
     * Whether slot {@code slot} can run from position {@code position} on, its earlier positions taken
     * from the cache: always for a layer that caches every position; for a window cache, when the
     * positions the query at {@code position} sees are still held ({@code position - W + 1 >= first}),
     * or nothing is needed ({@code position = 0}).
     */
    @Override
    public boolean canContinue(int slot, int position) {
        return position == 0 || firstHeld[slot] <= needed(position);
    }

    /** The first position a query at {@code position} sees. */
    private int needed(int position) {
        return o.variant().firstVisible(position);
    }

    /**
     * Makes room in slot {@code slot}'s region for positions {@code pos ... pos + len - 1} and returns the
     * position its row 0 holds: when they would pass the last row, the positions the run still needs
     * ({@code pos - W + 1 ... pos - 1}) move to the front first, in pieces no longer than the distance moved
     * so that no copy reads rows it writes.
     */
    private int place(int slot, int pos, int len, Tensor keys, Tensor values) {
        if (!canContinue(slot, pos)) {
            throw new IllegalStateException("slot " + slot + " cannot go on at position " + pos + ": this layer's window cache holds"
                    + " positions from " + firstHeld[slot] + " on, the query needs " + needed(pos) + " (rerun the sequence from 0)");
        }
        if (pos == 0) {
            firstHeld[slot] = 0;
        }
        int base = firstHeld[slot];
        if (pos + len - base <= capacity) {
            return base;
        }
        int need = needed(pos);
        if (o.variant().window() == 0 || pos - need + len > capacity) {
            throw new IllegalStateException("a cache of " + capacity + " rows per slot cannot hold positions " + need + " ... "
                    + (pos + len - 1) + " (window " + o.variant().window() + ", run of " + len + " rows)");
        }
        int shift = need - base, keep = pos - need;
        for (int at = 0; at < keep; at += shift) {
            int n = Math.min(shift, keep - at);
            ops.copy(keys.rows(at + shift, n), keys.rows(at, n));
            ops.copy(values.rows(at + shift, n), values.rows(at, n));
        }
        firstHeld[slot] = need;
        return need;
    }
}
