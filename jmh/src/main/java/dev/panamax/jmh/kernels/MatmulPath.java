package dev.panamax.jmh.kernels;

import java.lang.foreign.Arena;

import dev.panamax.kernels.cpu.CpuMatmul;
import dev.panamax.kernels.cpu.ParallelFor;
import dev.panamax.kernels.cpu.ReferenceMatmul;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * How the matmul benchmarks call a backend's matmul: through {@link Ops#matmul}, or, while a
 * backend's {@code Ops.matmul} is not wired to the matmul kernels yet (it throws
 * {@link UnsupportedOperationException}), through the kernel it will delegate to: {@link CpuMatmul}
 * for "cpu", {@link ReferenceMatmul} for "reference". {@link #description()} says which, and the
 * bench command records it in the report's notes.
 */
public final class MatmulPath implements AutoCloseable {

    /** {@code out = x · wᵀ}. */
    @FunctionalInterface
    interface Matmul {
        void run(Tensor x, Tensor w, Tensor out);
    }

    private final Matmul matmul;
    private final ParallelFor team;
    private final String description;

    private MatmulPath(Matmul matmul, ParallelFor team, String description) {
        this.matmul = matmul;
        this.team = team;
        this.description = description;
    }

    /** The path for {@code ops}, probing its matmul once on a tiny problem. */
    public static MatmulPath of(Ops ops, int threads) {
        if (supportsMatmul(ops)) {
            return new MatmulPath(ops::matmul, null, "Ops.matmul of '" + ops.name() + "'");
        }
        return switch (ops.name()) {
            case "cpu" -> {
                ParallelFor team = new ParallelFor(threads);
                CpuMatmul kernel = new CpuMatmul(team);
                yield new MatmulPath(kernel::matmul, team,
                        "CpuMatmul called directly (CpuOps.matmul is not wired to it in this build)");
            }
            case "reference" -> new MatmulPath(ReferenceMatmul::matmul, null,
                    "ReferenceMatmul called directly (ReferenceOps.matmul is not wired to it in this build)");
            default -> throw new IllegalStateException("backend '" + ops.name() + "' has no matmul");
        };
    }

    /** Whether {@code ops.matmul} works (rather than throwing {@link UnsupportedOperationException}). */
    public static boolean supportsMatmul(Ops ops) {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = ops.allocate(arena, DType.F32, 1, 32);
            Tensor w = ops.allocate(arena, DType.F32, 2, 32);
            Tensor out = ops.allocate(arena, DType.F32, 1, 2);
            ops.matmul(x, w, out);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    public void run(Tensor x, Tensor w, Tensor out) {
        matmul.run(x, w, out);
    }

    /** What is called, for the report. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (team != null) {
            team.close();
        }
    }
}
