package dev.panamax.transformer.family;

import dev.panamax.transformer.nn.Router;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * DeepSeekMoE's routing (transformers' {@code DeepseekV2MoEGate} / {@code DeepseekV3TopkRouter},
 * llama.cpp's {@code build_moe_ffn}): for one token,
 *
 * <pre>
 *   s_e   = softmax(logits)_e  (V2)   or  sigmoid(logit_e)  (V3, R1, Kimi K2)
 *   c_e   = s_e + bias_e                        selection score, bias = exp_probs_b (V3) or 0
 *   groups: the experts split into G equal groups; a group scores the sum of its two best c_e
 *           (V3, llama.cpp) or its best c_e (V2's group_limited_greedy); only the experts of the
 *           best groupsUsed groups stay eligible
 *   top-k of c_e over the eligible experts; weight_e = s_e (without the bias)
 *   weights /= Σ weights  if normalize (and k > 1);   weights *= scale
 * </pre>
 *
 * Ties go to the lower index. Allocates nothing per token.
 */
final class DeepSeekRouter implements Router {
    /** How router logits become scores. */
    enum Gating { SOFTMAX, SIGMOID }

    /** How an expert group is scored. */
    enum GroupScore { TOP2_SUM, MAX }

    private final int k, groups, groupsUsed;
    private final Gating gating;
    private final GroupScore groupScore;
    private final float[] bias;
    private final boolean normalize;
    private final double scale;
    private final double[] scores, selection, groupScores;
    private final boolean[] groupKept;

    /**
     * @param bias       null, or the selection bias {@code [experts]}
     * @param groups     expert groups (1: no group limit)
     * @param groupsUsed groups kept per token
     */
    DeepSeekRouter(int experts, int k, Gating gating, float[] bias, int groups, int groupsUsed, GroupScore groupScore,
                   boolean normalize, double scale) {
        if (k < 1 || k > experts || groups < 1 || experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups
                || k > groupsUsed * (experts / groups) || (bias != null && bias.length != experts)) {
            throw new IllegalArgumentException("top-" + k + " of " + experts + " experts in " + groups + " groups, "
                    + groupsUsed + " used" + (bias == null ? "" : ", bias of " + bias.length));
        }
        this.k = k;
        this.gating = gating;
        this.bias = bias == null ? null : bias.clone();
        this.groups = groups;
        this.groupsUsed = groupsUsed;
        this.groupScore = groupScore;
        this.normalize = normalize;
        this.scale = scale;
        this.scores = new double[experts];
        this.selection = new double[experts];
        this.groupScores = new double[groups];
        this.groupKept = new boolean[groups];
    }

    @Override
    public int expertsUsed() {
        return k;
    }

    @Override
    public void route(MemorySegment logits, int experts, int[] chosen, double[] weights, int offset) {
        score(logits, experts);
        for (int e = 0; e < experts; e++) {
            selection[e] = scores[e] + (bias == null ? 0 : bias[e]);
        }
        if (groups > 1) {
            limitToBestGroups(experts);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (selection[e] != Double.NEGATIVE_INFINITY && (best < 0 || selection[e] > selection[best])) {
                    best = e;
                }
            }
            chosen[offset + j] = best;
            weights[offset + j] = scores[best];
            sum += scores[best];
            selection[best] = Double.NEGATIVE_INFINITY;
        }
        for (int j = 0; j < k; j++) {
            double w = normalize && k > 1 ? weights[offset + j] / sum : weights[offset + j];
            weights[offset + j] = w * scale;
        }
    }

    private void score(MemorySegment logits, int experts) {
        if (gating == Gating.SIGMOID) {
            for (int e = 0; e < experts; e++) {
                scores[e] = 1 / (1 + Math.exp(-logits.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e)));
            }
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) {
            max = Math.max(max, logits.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e));
        }
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            scores[e] = Math.exp(logits.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e) - max);
            sum += scores[e];
        }
        for (int e = 0; e < experts; e++) {
            scores[e] /= sum;
        }
    }

    /** Sets the selection score of every expert outside the best {@code groupsUsed} groups to -∞. */
    private void limitToBestGroups(int experts) {
        int size = experts / groups;
        for (int g = 0; g < groups; g++) {
            double first = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
            for (int e = g * size; e < (g + 1) * size; e++) {
                double s = selection[e];
                if (s > first) {
                    second = first;
                    first = s;
                } else if (s > second) {
                    second = s;
                }
            }
            groupScores[g] = groupScore == GroupScore.MAX || size == 1 ? first : first + second;
            groupKept[g] = false;
        }
        for (int j = 0; j < groupsUsed; j++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                if (!groupKept[g] && (best < 0 || groupScores[g] > groupScores[best])) {
                    best = g;
                }
            }
            groupKept[best] = true;
        }
        for (int e = 0; e < experts; e++) {
            if (!groupKept[e / size]) {
                selection[e] = Double.NEGATIVE_INFINITY;
            }
        }
    }
}
