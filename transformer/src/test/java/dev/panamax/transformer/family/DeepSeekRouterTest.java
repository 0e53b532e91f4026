package dev.panamax.transformer.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The routing choices the forward tests do not reach (they use V3's sigmoid + bias with top-2-sum
 * groups): V2's softmax gating with an unnormalized scale, and V2's group score (the group's best)
 * against V3's (the sum of its two best), on hand-made scores whose answers differ.
 */
class DeepSeekRouterTest {
    private static final double EXACT = 1e-12;

    @Test
    void softmaxGatingPicksTheLargestLogitsAndScalesUnnormalizedWeights() {
        DeepSeekRouter r = new DeepSeekRouter(4, 2, DeepSeekRouter.Gating.SOFTMAX, null, 1, 1, DeepSeekRouter.GroupScore.TOP2_SUM,
                false, 16);
        int[] chosen = {-1, -1, -1};
        double[] weights = new double[3];
        r.route(MemorySegment.ofArray(new float[] {0, 1, 3, 2}), 4, chosen, weights, 1);
        double z = 1 + Math.E + Math.exp(3) + Math.exp(2);
        assertArrayEquals(new int[] {-1, 2, 3}, chosen);
        assertEquals(16 * Math.exp(3) / z, weights[1], 1e-6);
        assertEquals(16 * Math.exp(2) / z, weights[2], 1e-6);
    }

    @Test
    void groupScoreMaxAndTopTwoSumKeepDifferentGroupsAndWeightsIgnoreTheBias() {
        // logits 0: every score is sigmoid(0) = 1/2, selection = 1/2 + bias = [0.9, 0.1, 0.5, 0.6]
        float[] bias = {0.4f, -0.4f, 0, 0.1f};
        MemorySegment logits = MemorySegment.ofArray(new float[4]);
        int[] chosen = new int[2];
        double[] weights = new double[2];
        new DeepSeekRouter(4, 2, DeepSeekRouter.Gating.SIGMOID, bias, 2, 1, DeepSeekRouter.GroupScore.MAX, true, 2.5)
                .route(logits, 4, chosen, weights, 0);
        assertArrayEquals(new int[] {0, 1}, chosen); // group {0, 1} scores 0.9 > 0.6
        assertArrayEquals(new double[] {1.25, 1.25}, weights, EXACT); // normalized halves, times 2.5
        new DeepSeekRouter(4, 2, DeepSeekRouter.Gating.SIGMOID, bias, 2, 1, DeepSeekRouter.GroupScore.TOP2_SUM, false, 1)
                .route(logits, 4, chosen, weights, 0);
        assertArrayEquals(new int[] {3, 2}, chosen); // group {2, 3} scores 1.1 > 1.0
        assertArrayEquals(new double[] {0.5, 0.5}, weights, EXACT);
    }

    @Test
    void impossibleGroupingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeepSeekRouter(6, 2, DeepSeekRouter.Gating.SIGMOID, null, 4, 1,
                DeepSeekRouter.GroupScore.TOP2_SUM, true, 1)); // 4 groups do not divide 6 experts
        assertThrows(IllegalArgumentException.class, () -> new DeepSeekRouter(8, 3, DeepSeekRouter.Gating.SIGMOID, null, 4, 1,
                DeepSeekRouter.GroupScore.TOP2_SUM, true, 1)); // one group of 2 cannot give 3 experts
    }
}
