package dev.panamax.serve;

import dev.panamax.transformer.api.Batch;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.Generation;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.Session;
import dev.panamax.transformer.lora.AdapterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where the {@link Scheduler}'s generations run, and how one round steps them all: in the slots of
 * one {@link Batch} (one forward pass per round for every running generation: continuous batching), or
 * on sessions of their own, stepped one after another. Driven by the scheduler's thread only.
 */
interface Slots extends AutoCloseable {
    /** Generations that can run at once. */
    int capacity();

    /** Starts a generation with {@code adapters} in a free slot (the scheduler calls this only when one is free). */
    Generation start(int[] prompt, GenerateOptions options, AdapterSet adapters, Consumer<String> onText, int prefillChunk);

    /** One forward step for each running generation, each then advanced; a failure ends that generation. */
    void step(List<Generation> running, BiConsumer<Generation, RuntimeException> failed);

    /** Frees the slot of {@code g}, which has finished. */
    void free(Generation g);

    /** KV caches made so far (sessions, or the one batch's slots). */
    int caches();

    @Override
    void close();

    /**
     * The slots of one batch: a round is one {@link Batch#step}, whatever the number of generations. A request
     * takes the free slot whose cache holds the longest prefix of its prompt ({@link Batch#claim(int[], AdapterSet)}).
     */
    final class Batched implements Slots {
        private final Batch batch;
        private final Generation[] bySlot;
        private final int[][] tokens;

        Batched(LanguageModel model, int slots) {
            batch = model.batch(slots);
            bySlot = new Generation[slots];
            tokens = new int[slots][];
        }

        @Override
        public int capacity() {
            return bySlot.length;
        }

        @Override
        public Generation start(int[] prompt, GenerateOptions options, AdapterSet adapters, Consumer<String> onText, int prefillChunk) {
            // the free slot that still holds the longest prefix of this prompt (its cache kept from an earlier request)
            // starts after it, as a session reuses its cache; a step whose slots use k adapter sets runs k passes
            int slot = batch.claim(prompt, adapters);
            try {
                Generation g = Generation.inSlot(batch, slot, prompt, options, onText, prefillChunk);
                bySlot[slot] = g;
                return g;
            } catch (RuntimeException e) {
                batch.release(slot);
                throw e;
            }
        }

        @Override
        public void step(List<Generation> running, BiConsumer<Generation, RuntimeException> failed) {
            boolean any = false;
            for (int s = 0; s < bySlot.length; s++) {
                Generation g = bySlot[s];
                tokens[s] = g != null && !g.finished() ? g.input() : null;
                any |= tokens[s] != null;
            }
            if (!any) {
                return;
            }
            try {
                batch.step(tokens);
            } catch (RuntimeException e) { // the whole step failed: every generation in it ends
                for (int s = 0; s < bySlot.length; s++) {
                    if (tokens[s] != null) {
                        bySlot[s].close();
                        failed.accept(bySlot[s], e);
                    }
                }
                return;
            }
            for (int s = 0; s < bySlot.length; s++) {
                if (tokens[s] != null) {
                    try {
                        bySlot[s].advance(batch.logits(s));
                    } catch (RuntimeException e) {
                        bySlot[s].close();
                        failed.accept(bySlot[s], e);
                    }
                }
            }
        }

        @Override
        public void free(Generation g) {
            for (int s = 0; s < bySlot.length; s++) {
                if (bySlot[s] == g) {
                    bySlot[s] = null;
                    batch.release(s);
                }
            }
        }

        @Override
        public int caches() {
            return bySlot.length;
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    /**
     * A session per slot, made as needed and kept (a request whose prompt starts as an earlier one's,
     * with the same adapters, reuses that session's cache); a round steps the generations one after another.
     */
    final class Sessions implements Slots {
        private final LanguageModel model;
        private final int capacity;
        private final List<Session> sessions = new ArrayList<>();
        private final List<Session> busy = new ArrayList<>();
        private final List<Generation> generations = new ArrayList<>();

        Sessions(LanguageModel model, int capacity) {
            this.model = model;
            this.capacity = capacity;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public Generation start(int[] prompt, GenerateOptions options, AdapterSet adapters, Consumer<String> onText, int prefillChunk) {
            Session best = null;
            int bestReuse = -1;
            for (Session s : sessions) {
                // another set of adapters makes the cached tokens worthless: the session forgets them when it switches
                int reuse = busy.contains(s) ? -1 : s.adapters().equals(adapters) ? s.reusableTokens(prompt) : 0;
                if (reuse > bestReuse) {
                    best = s;
                    bestReuse = reuse;
                }
            }
            if (best == null || (bestReuse == 0 && sessions.size() < capacity)) {
                best = model.newSession(adapters);
                sessions.add(best);
            } else if (!best.adapters().equals(adapters)) {
                best.useAdapters(adapters);
            }
            Generation g = best.start(prompt, options, onText, prefillChunk);
            busy.add(best);
            generations.add(g);
            return g;
        }

        @Override
        public void step(List<Generation> running, BiConsumer<Generation, RuntimeException> failed) {
            for (Generation g : running) {
                try {
                    g.step();
                } catch (RuntimeException e) {
                    g.close();
                    failed.accept(g, e);
                }
            }
        }

        @Override
        public void free(Generation g) {
            int i = generations.indexOf(g);
            if (i >= 0) {
                generations.remove(i);
                busy.remove(i);
            }
        }

        @Override
        public int caches() {
            return sessions.size();
        }

        @Override
        public void close() {
            sessions.forEach(Session::close);
            sessions.clear();
        }
    }
}
