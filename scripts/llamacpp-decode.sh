#!/usr/bin/env bash
# llama.cpp's decode-only time per token on a (small) model, timed as SmallDecodeBench times Panamax: builds
# scripts/peer/llamacpp-decode.c once against the llama.cpp libraries of node-llama-cpp (installed by
# scripts/llamacpp-bench.sh; llama.h comes from the source bundle the package ships) into the same cache
# directory, then runs it: one JSON line per model and thread count (clock and process CPU per token, medians).
# Usage: scripts/llamacpp-decode.sh MODEL.gguf...   (env: THREADS="1 2" ROUNDS=20 TOKENS=128 PEER_TIMEOUT=300 LLAMACPP_NODE_DIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${LLAMACPP_NODE_DIR:-$HOME/.cache/panamax/node-llama-cpp}
pkg=$dir/node_modules/node-llama-cpp
lib=$dir/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
if [ ! -d "$lib" ] || ! command -v gcc >/dev/null; then
  echo "llama.cpp decode peer skipped: needs gcc and node-llama-cpp (scripts/llamacpp-bench.sh installs it)" >&2; exit 0
fi
exe=$dir/llamacpp-decode
if [ ! -x "$exe" ] || [ "$here/peer/llamacpp-decode.c" -nt "$exe" ]; then
  [ -d "$dir/llama-src" ] || git clone -q "$pkg/llama/gitRelease.bundle" "$dir/llama-src" 2>/dev/null
  gcc -O2 -Wall -o "$exe" "$here/peer/llamacpp-decode.c" -I"$dir/llama-src/include" -I"$dir/llama-src/ggml/include" \
    "$lib"/libllama.v*.so "$lib"/libggml.v*.so "$lib/libggml-base.so" -Wl,-rpath,"$lib"
fi
for model in "$@"; do
  for threads in ${THREADS:-1 2}; do
    echo "=== llama.cpp decode $(basename "$model") threads=$threads $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    # llama.cpp's threads spin-wait for each other: on a loaded machine a 2-thread run can take many minutes
    LLAMACPP_LIB_DIR=$lib timeout "${PEER_TIMEOUT:-300}" "$exe" "$model" "$threads" "${ROUNDS:-20}" "${TOKENS:-128}" ||
      echo "llama.cpp decode $(basename "$model") threads=$threads: failed or past ${PEER_TIMEOUT:-300} s" >&2
  done
done
