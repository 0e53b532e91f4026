package dev.panamax.serve;

import dev.panamax.serve.Responses.TextLogprobs;
import dev.panamax.serve.Responses.TokenLogprob;
import dev.panamax.serve.Responses.TopLogprob;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log-probability of a sampled token and its most likely alternatives, as OpenAI reports them: the
 * log-softmax of the model's logits at that position, before the penalties and the temperature the
 * sampler applies (the model's own distribution; a token drawn at temperature 0.7 is reported with its
 * probability at temperature 1). Computed in double from the float logits.
 */
final class Logprobs {
    /** OpenAI's limits: {@code top_logprobs} of chat, {@code logprobs} of completions. */
    static final int MAX_CHAT = 20, MAX_TEXT = 5;

    private Logprobs() {
    }

    /**
     * @param token  the token sampled
     * @param logits the logits it was sampled from (not changed)
     * @param top    how many alternatives to list, most likely first (ties: lower id first)
     */
    static TokenLogprob of(Tokenizer tokenizer, int token, float[] logits, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        int[] best = new int[top];
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (n == top && (top == 0 || logits[i] <= logits[best[n - 1]])) {
                continue;
            }
            int at = n < top ? n++ : n - 1; // the weakest kept is dropped
            while (at > 0 && logits[best[at - 1]] < logits[i]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        List<TopLogprob> alternatives = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            alternatives.add(new TopLogprob(text(tokenizer, best[j]), logits[best[j]] - logZ, bytes(tokenizer, best[j])));
        }
        return new TokenLogprob(text(tokenizer, token), logits[token] - logZ, bytes(tokenizer, token), alternatives);
    }

    /**
     * The entries in the legacy completions' shape.
     *
     * @param from the {@code text_offset} of the first entry: characters from the completion's start (not the prompt's)
     */
    static TextLogprobs text(List<TokenLogprob> entries, int from) {
        List<String> tokens = new ArrayList<>(entries.size());
        List<Double> logprobs = new ArrayList<>(entries.size());
        List<Map<String, Double>> tops = new ArrayList<>(entries.size());
        List<Integer> offsets = new ArrayList<>(entries.size());
        int offset = from;
        for (TokenLogprob e : entries) {
            tokens.add(e.token());
            logprobs.add(e.logprob());
            Map<String, Double> top = new LinkedHashMap<>();
            for (TopLogprob t : e.topLogprobs()) {
                top.putIfAbsent(t.token(), t.logprob());
            }
            tops.add(top);
            offsets.add(offset);
            offset += e.token().length();
        }
        return new TextLogprobs(tokens, logprobs, tops, offsets);
    }

    private static String text(Tokenizer tokenizer, int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }

    private static int[] bytes(Tokenizer tokenizer, int id) {
        byte[] b = tokenizer.tokenBytes(id);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xff;
        }
        return out;
    }
}
