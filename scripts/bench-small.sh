#!/usr/bin/env bash
# Issue 18 target 3, decode only on a small real model: Panamax's SmallDecodeBench (backends cpu and reference)
# and llama.cpp's C API loop (scripts/llamacpp-decode.sh), the same tokens at positions 0..127 from an empty cache,
# alternating per thread count so both see the same load; then a table of CPU and clock time per token.
# Usage: scripts/bench-small.sh [OUT_DIR]   (env: MODEL=stories260K-f32.gguf THREADS="1 2" BACKENDS=cpu,reference
#        WI=5 I=5 ROUNDS=20 JVM_ARGS=... CLASSPATH_FILE=FILE, default .panamax/classpath; LLAMACPP_DECODE=PROGRAM for
#        the peer, see scripts/llamacpp-decode.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/jdk25.sh
out=${1:-bench-out/small}
mkdir -p "$out"
[ -f .panamax/classpath ] || ./panamax info >/dev/null
cp=$(cat "${CLASSPATH_FILE:-.panamax/classpath}")
export PANAMAX_MODELS="${PANAMAX_MODELS:-$root/../shared/models}"
model=${MODEL:-stories260K-f32.gguf}
for threads in ${THREADS:-1 2}; do
  echo "=== panamax $model threads=$threads $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -cp "$cp" org.openjdk.jmh.Main SmallDecodeBench -p model="$model" \
    -p backend="${BACKENDS:-cpu,reference}" -p threads="$threads" -f 1 -wi "${WI:-5}" -i "${I:-5}" \
    -jvmArgsAppend "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ${JVM_ARGS:-}" \
    -rf json -rff "$out/panamax-$threads.json" | grep -E '^(Benchmark|SmallDecodeBench)'
  THREADS=$threads ROUNDS=${ROUNDS:-20} scripts/llamacpp-decode.sh "$PANAMAX_MODELS/$model" > "$out/llamacpp-$threads.jsonl"
  cat "$out/llamacpp-$threads.jsonl"
done
# per token: process CPU (all threads, JIT and GC too), the caller thread's CPU (Panamax only), clock
printf '\n%-10s %7s %16s %16s %14s %10s\n' who threads 'process cpu us' 'thread cpu us' 'wall us' 'tokens/s'
for threads in ${THREADS:-1 2}; do
  jq -r '.[] | .secondaryMetrics as $m | "\(.params.backend) \(.params.threads) \($m.processNanos.score / $m.decoded.score / 1000) \($m.threadNanos.score / $m.decoded.score / 1000) \($m.wallNanos.score / $m.decoded.score / 1000)"' \
    "$out/panamax-$threads.json"
  jq -r '"llama.cpp \(.threads) \(.processCpuMicrosPerToken) - \(.wallMicrosPerToken)"' "$out/llamacpp-$threads.jsonl"
done | awk '{ printf "%-10s %7s %16.1f %16s %14.1f %10.0f\n", $1, $2, $3, ($4 == "-" ? "-" : sprintf("%.1f", $4)), $5, 1e6 / $5 }'
