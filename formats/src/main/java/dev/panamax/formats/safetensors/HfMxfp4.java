package dev.panamax.formats.safetensors;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MXFP4 weights as Hugging Face checkpoints store them (gpt-oss's experts): {@code name_blocks}
 * U8 {@code [..., rows, cols / 32, 16]} and {@code name_scales} U8 {@code [..., rows, cols / 32]}.
 * Each block of 32 values has one E8M0 scale {@code e} (value {@code 2^(e - 127)}) and 16 bytes of
 * FP4 (E2M1) codes, and byte {@code j} holds value {@code 2j} in its low nibble and {@code 2j + 1}
 * in its high nibble (transformers' {@code convert_moe_packed_tensors}).
 *
 * <p>ggml's {@link DType#MXFP4} block is the scale byte then 16 bytes in which byte {@code j} holds
 * value {@code j} (low nibble) and {@code j + 16} (high nibble), with the same codes and the same
 * scale. So converting re-pairs the nibbles; values are unchanged, bit for bit.
 */
public final class HfMxfp4 {
    private static final int BLOCK = 32;

    private HfMxfp4() {
    }

    /**
     * The rows {@code rowStart, rowStart + rowStep, ...} of every matrix of {@code blocks}/{@code scales}
     * as one ggml MXFP4 tensor {@code [..., rows / rowStep, cols]} in {@code arena} (gpt-oss interleaves
     * the gate's and the up projection's rows in {@code gate_up_proj}: step 2, start 0 and 1).
     *
     * @param file     the checkpoint file, named in errors
     * @param name     named in errors (the weight's name without {@code _blocks})
     * @param blocks   the {@code _blocks} tensor: 16 bytes of packed E2M1 pairs per 32 values
     * @param scales   the {@code _scales} tensor: one E8M0 byte per 32 values
     * @param rowStart the first row taken from every matrix
     * @param rowStep  the distance between rows taken (1 for all of them)
     * @param arena    owns the result
     * @return a new MXFP4 tensor in ggml's block layout
     * @throws FormatException if the two tensors are not U8-sized of matching shapes
     */
    public static Tensor toGgml(Path file, String name, Tensor blocks, Tensor scales, int rowStart, int rowStep, Arena arena) {
        long[] b = blocks.shape(), s = scales.shape();
        if (blocks.dtype() != DType.I8 || scales.dtype() != DType.I8 || b.length < 3 || b[b.length - 1] != BLOCK / 2
                || s.length != b.length - 1 || !Arrays.equals(Arrays.copyOf(b, s.length), s)) {
            throw new FormatException(file, name + "_blocks", Arrays.toString(b) + " " + blocks.dtype(),
                    "MXFP4 blocks must be U8 [..., rows, cols/32, 16] with U8 scales [..., rows, cols/32], got scales "
                            + Arrays.toString(s) + " " + scales.dtype());
        }
        int rank = s.length;
        long rows = s[rank - 2], groups = s[rank - 1];
        if (rowStep < 1 || rowStart < 0 || rowStart >= rowStep || rows % rowStep != 0) {
            throw new FormatException(file, name + "_blocks", rows, "rows cannot be split " + rowStep + " ways");
        }
        long matrices = 1;
        for (int d = 0; d < rank - 2; d++) {
            matrices *= s[d];
        }
        long outRows = rows / rowStep;
        long[] shape = Arrays.copyOf(s, rank);
        shape[rank - 2] = outRows;
        shape[rank - 1] = groups * BLOCK;
        Tensor out = Tensor.allocate(arena, DType.MXFP4, shape);
        MemorySegment src = blocks.contiguous(arena).data(), sc = scales.contiguous(arena).data(), dst = out.data();
        byte[] in = new byte[BLOCK / 2];
        long o = 0;
        for (long m = 0; m < matrices; m++) {
            for (long r = rowStart; r < rows; r += rowStep) {
                long row = m * rows + r;
                for (long g = 0; g < groups; g++) {
                    dst.set(ValueLayout.JAVA_BYTE, o, sc.get(ValueLayout.JAVA_BYTE, row * groups + g));
                    MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (row * groups + g) * (BLOCK / 2), in, 0, BLOCK / 2);
                    for (int j = 0; j < BLOCK / 2; j++) {
                        // ggml byte j: value j (low), value j + 16 (high); value k is HF's nibble k % 2 of byte k / 2
                        int lo = nibble(in, j), hi = nibble(in, j + BLOCK / 2);
                        dst.set(ValueLayout.JAVA_BYTE, o + 1 + j, (byte) (lo | hi << 4));
                    }
                    o += 1 + BLOCK / 2;
                }
            }
        }
        return out;
    }

    /** Code {@code k} of a Hugging Face block: low nibble of byte {@code k / 2} for even k, high for odd. */
    private static int nibble(byte[] block, int k) {
        int v = block[k >> 1] & 0xFF;
        return (k & 1) == 0 ? v & 0xF : v >>> 4;
    }
}
