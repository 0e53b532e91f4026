package dev.panamax.jmh.kernels;

import java.lang.foreign.Arena;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;

/**
 * A backend whose matmul goes through {@link MatmulPath}: the backend itself when its
 * {@code Ops.matmul} works, else the matmul kernel it is meant to delegate to. Lets the end-to-end
 * benchmark run a transformer before the backend's matmul is wired; every other operation is the
 * backend's own.
 */
public final class MatmulWiredOps implements Ops {
    private final Ops ops;
    private final MatmulPath matmul;

    /** Wraps {@code ops}; closing this closes it. */
    public MatmulWiredOps(Ops ops, int threads) {
        this.ops = ops;
        this.matmul = MatmulPath.of(ops, threads);
    }

    /** What runs the matmuls, for the report. */
    public String matmulDescription() {
        return matmul.description();
    }

    @Override
    public String name() {
        return ops.name();
    }

    @Override
    public Tensor allocate(Arena arena, DType dtype, long... shape) {
        return ops.allocate(arena, dtype, shape);
    }

    @Override
    public Tensor upload(Arena arena, Tensor host) {
        return ops.upload(arena, host);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        ops.copy(src, dst);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor out) {
        matmul.run(x, w, out);
    }

    @Override
    public void embed(Tensor table, int[] ids, Tensor out) {
        ops.embed(table, ids, out);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out) {
        ops.rmsNorm(x, weight, eps, out);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out) {
        ops.layerNorm(x, weight, bias, eps, out);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        ops.softmax(x, out);
    }

    @Override
    public void rope(Tensor x, int startPos, Rope rope, Tensor out) {
        ops.rope(x, startPos, rope, out);
    }

    @Override
    public void silu(Tensor x, Tensor out) {
        ops.silu(x, out);
    }

    @Override
    public void gelu(Tensor x, Gelu approximation, Tensor out) {
        ops.gelu(x, approximation, out);
    }

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        ops.swiglu(gate, up, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        ops.add(a, b, out);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        ops.mul(a, b, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        ops.scale(x, s, out);
    }

    @Override
    public void attention(Tensor q, Tensor kCache, Tensor vCache, int startPos, float scale, Tensor out) {
        ops.attention(q, kCache, vCache, startPos, scale, out);
    }

    @Override
    public void argmax(Tensor x, int[] out) {
        ops.argmax(x, out);
    }

    @Override
    public void close() {
        matmul.close();
        ops.close();
    }
}
