#!/usr/bin/env bash
# Aggregate tokens/s of 1, 2, 4 and 8 concurrent requests through `panamax serve` and llama.cpp's llama-server,
# on the same model, the two servers alternating at each stream count so that both see the same load.
# Each server is started once with 8 slots (`--parallel 8`; llama-server `-np 8 -c 8*CTX`, so every slot
# has CTX tokens, as ours) and both decode greedily; N concurrent /v1/completions of TOKENS tokens each
# (short prompts, distinct per stream and per round, led by a round number so that llama-server's prompt cache
# cannot reuse an earlier round's KV: both servers prefill every prompt), after one warm-up round of 8. Aggregate = completion tokens of all N / wall time
# (prefill included). One markdown table row per server and N on stdout, the load beside it.
#
# Usage: scripts/bench-serve-parallel.sh MODEL.gguf...
#   env: LLAMA_SERVER=path/to/llama-server (required; build it from llama.cpp's source, outside this repository;
#        for the tree of 2026-12 (LLAMA_CURL is gone, the web UI would be fetched unless told not to):
#        cmake -S SRC -B BUILD -G Ninja -DGGML_NATIVE=ON -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
#          -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DCMAKE_BUILD_TYPE=Release
#        cmake --build BUILD --target llama-server -j 2)
#        PANAMAX=./panamax (the command that runs ours)  THREADS=2  TOKENS=32  CTX=512  STREAMS="1 2 4 8"  REPS=1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
panamax=${PANAMAX:-$here/../panamax}
threads=${THREADS:-2}
tokens=${TOKENS:-32}
ctx=${CTX:-512}
streams=${STREAMS:-1 2 4 8}
reps=${REPS:-1}
: "${LLAMA_SERVER:?set LLAMA_SERVER to a llama-server binary}"
ours_port=18181
theirs_port=18182
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_up() { # PORT PID: until /health answers 200 (llama-server answers 503 while it loads); fails at once if PID exits
  for _ in $(seq 1 600); do
    if ! kill -0 "$2" 2>/dev/null; then echo "server on port $1 exited (its log: /tmp/bench-serve-*.log)" >&2; return 1; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health")" = 200 ]; then return 0; fi
    sleep 1
  done
  echo "server on port $1 did not come up" >&2; return 1
}

# N concurrent greedy completions against PORT in round R; prints "tokens seconds"
load() { # PORT N R
  python3 - "$1" "$2" "$tokens" "$3" <<'PY'
import json, sys, threading, time, urllib.request
port, n, tokens, rnd = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
counts = [0] * n
def one(i):
    body = json.dumps({"prompt": f"{rnd} {i}: the story of round {rnd}, stream {i} begins", "max_tokens": tokens, "temperature": 0,
                       "stream": False}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/completions", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        counts[i] = json.load(r)["usage"]["completion_tokens"]
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
start = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
print(sum(counts), f"{time.monotonic() - start:.3f}")
PY
}

echo "machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $threads; $tokens tokens a request"
echo "| model | server | streams | tokens | seconds | aggregate tokens/s | per stream | load (1 min) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for model in "$@"; do
  name=$(basename "$model" .gguf)
  "$panamax" serve -m "$model" --port "$ours_port" -np 8 -c "$ctx" -t "$threads" >"/tmp/bench-serve-ours.log" 2>&1 &
  pids+=($!)
  "$LLAMA_SERVER" -m "$model" --port "$theirs_port" -np 8 -c $((8 * ctx)) -t "$threads" --no-webui \
    >"/tmp/bench-serve-llama.log" 2>&1 &
  pids+=($!)
  wait_up "$ours_port" "${pids[-2]}"
  wait_up "$theirs_port" "${pids[-1]}"
  load "$ours_port" 8 0 >/dev/null # warm-up: ours compiles its paths
  load "$theirs_port" 8 0 >/dev/null
  round=0
  for n in $streams; do
    for rep in $(seq 1 "$reps"); do
      for side in panamax llama-server; do
        port=$ours_port; [ "$side" = llama-server ] && port=$theirs_port
        round=$((round + 1)) # a new prompt each time (a subshell below cannot count for us)
        read -r got secs < <(load "$port" "$n" "$round")
        awk -v m="$name" -v s="$side" -v n="$n" -v t="$got" -v w="$secs" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
          'BEGIN { printf "| %s | %s | %d | %d | %.2f | %.1f | %.1f | %s |\n", m, s, n, t, w, t / w, t / w / n, l }'
      done
    done
  done
  cleanup
  pids=()
  sleep 2
done
