#!/usr/bin/env bash
# llama.cpp's decode-only time per token on a (small) model, timed as SmallDecodeBench times Panamax, by a small
# program over llama.cpp's C API that lives outside this repository (the project's rule for reference programs:
# only the numbers they print are committed). LLAMACPP_DECODE names it; its contract:
#   PROGRAM FILE.gguf THREADS ROUNDS TOKENS   runs ROUNDS rounds of TOKENS one-token llama_decode calls at positions
#   0, 1, ... from an empty cache (llama-bench's tg128 loop: the logits are computed, nothing is sampled) after a few
#   warm-up rounds, and prints one JSON line with the median clock and process CPU time per token over the rounds.
# docs/benchmarks.md ("Small models, comparable timing") says how it was built: C over llama.h from the source
# bundle node-llama-cpp ships, linked against that package's prebuilt libraries (the same ones llamacpp-bench.sh uses).
# Usage: LLAMACPP_DECODE=PROGRAM scripts/llamacpp-decode.sh MODEL.gguf...   (env: THREADS="1 2" ROUNDS=20 TOKENS=128
#        PEER_TIMEOUT=300 LLAMACPP_NODE_DIR)
set -euo pipefail
dir=${LLAMACPP_NODE_DIR:-$HOME/.cache/panamax/node-llama-cpp}
lib=$dir/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
exe=${LLAMACPP_DECODE:-}
if [ -z "$exe" ] || [ ! -x "$exe" ]; then
  echo "llama.cpp decode peer skipped: LLAMACPP_DECODE does not name the built decode program (see the header of $0)" >&2; exit 0
fi
for model in "$@"; do
  for threads in ${THREADS:-1 2}; do
    echo "=== llama.cpp decode $(basename "$model") threads=$threads $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    # llama.cpp's threads spin-wait for each other: on a loaded machine a 2-thread run can take many minutes
    LLAMACPP_LIB_DIR=$lib timeout "${PEER_TIMEOUT:-300}" "$exe" "$model" "$threads" "${ROUNDS:-20}" "${TOKENS:-128}" ||
      echo "llama.cpp decode $(basename "$model") threads=$threads: failed or past ${PEER_TIMEOUT:-300} s" >&2
  done
done
