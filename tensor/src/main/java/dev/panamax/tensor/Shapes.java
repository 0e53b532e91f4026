package dev.panamax.tensor;

import java.util.Arrays;
import java.util.function.Consumer;

/** Shape and stride arithmetic shared by {@link Tensor}'s views and loops. */
final class Shapes {
    private Shapes() {
    }

    /** Product of the sizes, with overflow checked. */
    static long product(long[] shape) {
        long n = 1;
        for (long s : shape) {
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^63 elements", e);
            }
        }
        return n;
    }

    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Row-major without gaps; the strides of size-1 dimensions do not matter. */
    static boolean isContiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    static int checkDim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IndexOutOfBoundsException("dimension " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    static long checkIndex(long index, int dim, long[] shape) {
        if (index < 0 || index >= shape[dim]) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + dim + " of size "
                    + shape[dim] + " (shape " + Arrays.toString(shape) + ")");
        }
        return index;
    }

    static long[] remove(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    /** Resolves one -1 in {@code requested} so the product equals {@code numel}. */
    static long[] inferSize(long[] requested, long numel, long[] from) {
        long[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be -1 in " + Arrays.toString(requested));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("negative size " + s[i] + " in shape " + Arrays.toString(requested));
            } else {
                known = Math.multiplyExact(known, s[i]);
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " (" + numel + " elements) to "
                        + Arrays.toString(requested));
            }
            s[infer] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " (" + numel + " elements) to "
                    + Arrays.toString(requested) + " (" + known + " elements)");
        }
        return s;
    }

    /**
     * Strides that let {@code newShape} view the memory of a tensor with {@code oldShape} and
     * {@code oldStrides}, or null if none exist. Groups of old dimensions that are contiguous with
     * each other can be split and merged freely (the rule PyTorch's {@code view} follows).
     */
    static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
        long[] newStrides = new long[newShape.length];
        if (product(oldShape) == 0 || oldShape.length == 0) {
            return contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBaseStride = oldStrides.length == 0 ? 1 : oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBaseStride;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (tensorD > 0) {
                    chunkBaseStride = oldStrides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            return null;
        }
        return newStrides;
    }

    /** Calls {@code action} with every index of {@code shape} in row-major order (the array is reused). */
    static void forEachIndex(long[] shape, Consumer<long[]> action) {
        if (product(shape) == 0) {
            return;
        }
        long[] index = new long[shape.length];
        while (true) {
            action.accept(index);
            int d = shape.length - 1;
            while (d >= 0 && ++index[d] == shape[d]) {
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    /** Calls {@code action} with the index of every row (all dimensions but the last). */
    static void forEachRow(long[] shape, Consumer<long[]> action) {
        forEachIndex(Arrays.copyOf(shape, shape.length - 1), action);
    }
}
