package dev.panamax.transformer;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;

/**
 * The weights one decoded token reads, from a GGUF file's tensor table: every tensor of the blocks
 * that generation runs, the norms and the output projection, but of the embedding table one row
 * (nothing, here: it is looked up, not multiplied; when the output is tied to it, all of it), and of
 * the stacked routed experts ({@code *_exps.*}, {@code [E, ...]}) the {@code used} of {@code E} that
 * a token is sent to ({@link dev.panamax.transformer.nn.MixtureOfExperts} runs only those).
 * Multi-token-prediction blocks past {@link ModelConfig#layers()} are not run and not counted.
 *
 * @param bytesPerToken    bytes of weights a decoded token reads
 * @param activeParameters multiply-add parameters per token: the entries of the matrices counted as read
 *                         (norms and other vectors left out), which is what "active parameters" means
 * @param totalParameters  every entry of every tensor in the file
 * @param totalBytes       every tensor's bytes
 */
public record WeightTraffic(long bytesPerToken, long activeParameters, long totalParameters, long totalBytes) {

    /**
     * Counts the tensors of {@code file} as a token of the model {@code config} describes reads them.
     *
     * @param file   the model's GGUF file
     * @param config its configuration (layers run, experts and experts used)
     * @return the counts
     */
    public static WeightTraffic of(GgufFile file, ModelConfig config) {
        boolean tied = file.findTensorInfo("output.weight").isEmpty();
        long bytes = 0, active = 0, params = 0, all = 0;
        for (GgufTensorInfo t : file.tensorInfos()) {
            params += t.numel();
            all += t.byteSize();
            int block = blockOf(t.name());
            if (block >= config.layers() || (t.name().startsWith("token_embd.") && !tied)) {
                continue;
            }
            boolean experts = t.name().contains("_exps.") && config.expertCount() > 0;
            // stacked experts are [E, ...] in GGUF's row-major order: each expert's share is the same
            long share = experts ? config.expertsUsed() : 1, of = experts ? config.expertCount() : 1;
            bytes += t.byteSize() / of * share;
            if (t.shape().length >= 2) {
                active += t.numel() / of * share;
            }
        }
        return new WeightTraffic(bytes, active, params, all);
    }

    /** The block number of a {@code blk.N.} tensor, or -1. */
    private static int blockOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        try {
            return end < 0 ? -1 : Integer.parseInt(name, 4, end, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Bits of weights read per active parameter.
     *
     * @return {@code 8 bytesPerToken / activeParameters}, 0 without active parameters
     */
    public double bitsPerActiveParameter() {
        return activeParameters == 0 ? 0 : 8.0 * bytesPerToken / activeParameters;
    }

    /**
     * One line for {@code panamax inspect}.
     *
     * @return the bytes read per token against the file's, and the active parameters against all
     */
    public String describe() {
        return String.format("per token:   %.1f MB of weights read (of %.1f MB), %,d active parameters of %,d, %.2f bits per active parameter",
                bytesPerToken / 1e6, totalBytes / 1e6, activeParameters, totalParameters, bitsPerActiveParameter());
    }
}
