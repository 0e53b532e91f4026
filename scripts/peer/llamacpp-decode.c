// Decode only, timed as SmallDecodeBench times Panamax (issue 18 target 3): ROUNDS rounds of TOKENS one-token
// llama_decode calls at positions 0, 1, ... from an empty cache (llama-bench's tg128 loop; the token's logits are
// computed, nothing is sampled), after WARMUP rounds, on llama.cpp's C API directly, so that no binding's per-call
// work is counted (node-llama-cpp's public evaluate call costs ~0.3 ms of CPU per token on stories260K).
// Prints one JSON line: median clock and process CPU time per token over the rounds.
// Built and run by scripts/llamacpp-decode.sh against the llama.cpp libraries node-llama-cpp ships.
//
// usage: llamacpp-decode FILE.gguf [threads=1] [rounds=20] [tokens=128] [warmup=5]
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ggml-backend.h"
#include "llama.h"

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void quiet(enum ggml_log_level level, const char *text, void *data) {
    (void) data;
    if (level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double median(double *xs, int n) {
    qsort(xs, n, sizeof *xs, ascending);
    return xs[n / 2];
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.gguf [threads] [rounds] [tokens] [warmup]\n", argv[0]);
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 1, rounds = argc > 3 ? atoi(argv[3]) : 20;
    int tokens = argc > 4 ? atoi(argv[4]) : 128, warmup = argc > 5 ? atoi(argv[5]) : 5;
    llama_log_set(quiet, NULL);
    // the CPU variants in the libraries' directory ($LLAMACPP_LIB_DIR); ggml picks the best one for this machine
    const char *dir = getenv("LLAMACPP_LIB_DIR");
    if (dir != NULL) {
        ggml_backend_load_all_from_path(dir);
    } else {
        ggml_backend_load_all();
    }
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (model == NULL) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = tokens + 16;
    cp.n_batch = cp.n_ubatch = 16;
    cp.n_threads = cp.n_threads_batch = threads;
    cp.no_perf = 1;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    int vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    double *wall = calloc(rounds, sizeof(double)), *cpu = calloc(rounds, sizeof(double));
    for (int r = 0; r < warmup + rounds; r++) {
        llama_memory_clear(llama_get_memory(ctx), 1);
        double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (int p = 0; p < tokens; p++) {
            llama_token t = 1 + (p * 31 + 7) % (vocab - 1); // the token ids SmallDecodeBench feeds
            if (llama_decode(ctx, llama_batch_get_one(&t, 1)) != 0) {
                fprintf(stderr, "llama_decode failed at position %d\n", p);
                return 1;
            }
        }
        if (r >= warmup) {
            wall[r - warmup] = (seconds(CLOCK_MONOTONIC) - w0) * 1e6 / tokens;
            cpu[r - warmup] = (seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / tokens;
        }
    }
    double w = median(wall, rounds), c = median(cpu, rounds);
    printf("{\"file\":\"%s\",\"threads\":%d,\"rounds\":%d,\"tokens\":%d,\"wallMicrosPerToken\":%.1f,"
           "\"processCpuMicrosPerToken\":%.1f,\"decodeTokensPerSecond\":%.1f}\n", argv[1], threads, rounds, tokens, w, c,
           1e6 / w);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
