package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * The scratch buffers of a forward pass, allocated once for up to {@code maxBatch} tokens, with the
 * views for a batch of {@code n} rows made once per {@code n} and reused: decoding a token allocates
 * no buffers.
 */
final class Activations {
    final int maxBatch;
    /** The residual stream {@code [T, dim]}. */
    final Tensor x;
    /** Normalized input of a sub-layer {@code [T, dim]}. */
    final Tensor xb;
    /** Output of a sub-layer before the residual add {@code [T, dim]}. */
    final Tensor delta;
    final Tensor q;
    final Tensor k;
    final Tensor v;
    /** Attention output, all heads concatenated {@code [T, heads * headDim]}. */
    final Tensor attention;
    final Tensor gate;
    final Tensor up;
    /** Logits of one position {@code [1, vocab]} on the backend, and their host copy. */
    final Tensor logits;
    final Tensor logitsHost;
    /** Mixture of experts: router logits on the backend and on the host. */
    final Tensor routerLogits;
    final Tensor routerLogitsHost;
    /** Mixture of experts: the rows of xb routed to one expert, gathered {@code [T, dim]}, and its outputs {@code [T, dim]}. */
    final Tensor expertIn;
    final Tensor expertOut;
    final Tensor[] expertInRows;
    final Tensor[] expertOutRows;
    /** Rows of xb and delta, for routing token by token. */
    final Tensor[] xbRows;
    final Tensor[] deltaRows;

    private final Batch[] batches;
    private final ModelConfig config;

    Activations(Ops ops, Arena arena, ModelConfig c, int maxBatch) {
        this.config = c;
        this.maxBatch = maxBatch;
        x = ops.allocate(arena, DType.F32, maxBatch, c.dim());
        xb = ops.allocate(arena, DType.F32, maxBatch, c.dim());
        delta = ops.allocate(arena, DType.F32, maxBatch, c.dim());
        q = ops.allocate(arena, DType.F32, maxBatch, c.qDim());
        k = ops.allocate(arena, DType.F32, maxBatch, c.kvDim());
        v = ops.allocate(arena, DType.F32, maxBatch, c.kvDim());
        attention = ops.allocate(arena, DType.F32, maxBatch, c.qDim());
        gate = ops.allocate(arena, DType.F32, maxBatch, c.ffnDim());
        up = ops.allocate(arena, DType.F32, maxBatch, c.ffnDim());
        logits = ops.allocate(arena, DType.F32, 1, c.vocabSize());
        logitsHost = hostMirror(arena, logits);
        if (c.isMoe()) {
            routerLogits = ops.allocate(arena, DType.F32, maxBatch, c.expertCount());
            routerLogitsHost = hostMirror(arena, routerLogits);
            expertIn = ops.allocate(arena, DType.F32, maxBatch, c.dim());
            expertOut = ops.allocate(arena, DType.F32, maxBatch, c.dim());
            expertInRows = rowsOf(expertIn, maxBatch);
            expertOutRows = rowsOf(expertOut, maxBatch);
        } else {
            routerLogits = routerLogitsHost = expertIn = expertOut = null;
            expertInRows = expertOutRows = null;
        }
        xbRows = rowsOf(xb, maxBatch);
        deltaRows = rowsOf(delta, maxBatch);
        batches = new Batch[maxBatch + 1];
    }

    private static Tensor[] rowsOf(Tensor t, int count) {
        Tensor[] rows = new Tensor[count];
        for (int i = 0; i < count; i++) {
            rows[i] = t.rows(i, 1);
        }
        return rows;
    }

    /** Host backends compute in host memory already; others need a host tensor to copy results into. */
    private static Tensor hostMirror(Arena arena, Tensor t) {
        return t.device() == Device.HOST ? t : Tensor.allocate(arena, t.dtype(), t.shape());
    }

    /** The views of the first {@code n} rows of every buffer, shaped as the kernels want them. */
    Batch batch(int n) {
        Batch b = batches[n];
        if (b == null) {
            b = batches[n] = new Batch(this, n, config);
        }
        return b;
    }

    /** Views of {@code n} rows: {@code q/k/v/attention} also as {@code [n, heads, headDim]}. */
    static final class Batch {
        final int n;
        final Tensor x, xb, delta, q, k, v, attention, gate, up;
        final Tensor q3, k3, v3, attention3;
        final Tensor routerLogits, routerLogitsHost;
        /** The first n rows of the gathered expert input and output (n tokens routed to one expert). */
        final Tensor expertIn, expertOut;

        Batch(Activations a, int n, ModelConfig c) {
            this.n = n;
            x = a.x.rows(0, n);
            xb = a.xb.rows(0, n);
            delta = a.delta.rows(0, n);
            q = a.q.rows(0, n);
            k = a.k.rows(0, n);
            v = a.v.rows(0, n);
            attention = a.attention.rows(0, n);
            gate = a.gate.rows(0, n);
            up = a.up.rows(0, n);
            q3 = q.reshape(n, c.heads(), c.headDim());
            k3 = k.reshape(n, c.kvHeads(), c.headDim());
            v3 = v.reshape(n, c.kvHeads(), c.headDim());
            attention3 = attention.reshape(n, c.heads(), c.headDim());
            routerLogits = a.routerLogits == null ? null : a.routerLogits.rows(0, n);
            routerLogitsHost = a.routerLogitsHost == null ? null : a.routerLogitsHost.rows(0, n);
            expertIn = a.expertIn == null ? null : a.expertIn.rows(0, n);
            expertOut = a.expertOut == null ? null : a.expertOut.rows(0, n);
        }
    }
}
