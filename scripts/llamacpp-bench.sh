#!/usr/bin/env bash
# llama.cpp, the peer, on the same synthetic models and machine: pp512 and tg128 tokens/s (medians of
# REPS runs after one warm-up), one JSON line per model, through the prebuilt llama.cpp libraries of
# the npm package node-llama-cpp. Also proves that llama.cpp loads `./panamax synth` files.
# Usage: scripts/llamacpp-bench.sh OUT.jsonl MODEL.gguf...   (env: THREADS=2 REPS=3 LLAMACPP_NODE_DIR)
# Needs node >= 20 and npm; node-llama-cpp is installed once into $LLAMACPP_NODE_DIR
# (default ~/.cache/panamax/node-llama-cpp), never into the repository. Without them it says so and exits 0.
set -euo pipefail
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
dir=${LLAMACPP_NODE_DIR:-$HOME/.cache/panamax/node-llama-cpp}
version=3.22.1 # ships llama.cpp release v0.5.0 with CPU variants up to AVX-512 VNNI (picked at run time)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "llama.cpp peer skipped: node and npm are not installed" >&2; exit 0
fi
if [ ! -d "$dir/node_modules/node-llama-cpp" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund "node-llama-cpp@$version" >/dev/null) ||
    { echo "llama.cpp peer skipped: npm could not install node-llama-cpp@$version" >&2; exit 0; }
fi
cp "$here/../jmh/src/main/resources/dev/panamax/jmh/peer/llamacpp-bench.mjs" "$dir/" # the script `./panamax bench` runs too
: > "$out"
for model in "$@"; do
  echo "=== llama.cpp $(basename "$model") $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  node "$dir/llamacpp-bench.mjs" "$model" "${THREADS:-2}" "${REPS:-3}" 2>/dev/null | grep '^{' >> "$out"
done
cat "$out"
