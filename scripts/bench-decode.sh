#!/usr/bin/env bash
# Issue 18 target 1, decode only: tg128 tokens/s of Panamax (EndToEndBench.decode) and of llama.cpp
# (scripts/llamacpp-bench.sh) on the same 8-layer TinyLlama-shaped synthetic files, for each type and
# thread count, Panamax and llama.cpp alternating so both see the same machine load; then a table
# with the ratio. The load average is printed before each run. (-Djmh.ignoreLock: other JMH runs may share
# the machine; their load shows in those figures.)
# Usage: scripts/bench-decode.sh [OUT_DIR]   (env: TYPES="q8_0 q4_0 q4_k_m q6_k f32" THREADS="1 2" REPS=2 WI=2 I=3;
#        JVM_ARGS="-Dpanamax.cpu.narrow=true" to take the 256-bit kernels on an AVX-512 machine;
#        CLASSPATH_FILE=FILE to run another build's class path, default .panamax/classpath)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/jdk25.sh
out=${1:-bench-out/decode}
mkdir -p "$out"
[ -f .panamax/classpath ] || ./panamax info >/dev/null
cp=$(cat "${CLASSPATH_FILE:-.panamax/classpath}")
types=${TYPES:-q8_0 q4_0 q4_k_m q6_k f32}
synth=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.io.tmpdir = //p')/panamax-synth
for threads in ${THREADS:-1 2}; do
  for t in $types; do
    echo "=== panamax $t threads=$threads $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    # the JMH fork writes the model file on first use (java.io.tmpdir/panamax-synth)
    "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
      org.openjdk.jmh.Main 'EndToEndBench.decode' -p layers=8 -p type="$t" -p threads="$threads" -f 1 -wi ${WI:-2} -i ${I:-3} \
      ${JVM_ARGS:+-jvmArgsAppend "$JVM_ARGS"} -rf json -rff "$out/panamax-$t-$threads.json" | grep -E '^(Benchmark|EndToEndBench)'
    THREADS=$threads REPS=${REPS:-2} scripts/llamacpp-bench.sh "$out/llamacpp-$t-$threads.jsonl" \
      "$synth/tinyllama-1.1b-8l-$t.gguf" >/dev/null
  done
done
# ms per 128-token op -> tokens/s
printf '\n%-8s %7s %12s %12s %7s\n' type threads panamax llama.cpp ratio
for threads in ${THREADS:-1 2}; do
  for t in $types; do
    p=$(jq '128000 / .[0].primaryMetric.score' "$out/panamax-$t-$threads.json" 2>/dev/null || true)
    l=$(jq '.decodeTokensPerSecond' "$out/llamacpp-$t-$threads.jsonl" 2>/dev/null || true)
    if [ -n "$p" ] && [ -n "$l" ] && [ "$l" != null ]; then
      printf '%-8s %7s %12.2f %12.2f %7.2f\n' "$t" "$threads" "$p" "$l" "$(echo "$p / $l" | bc -l)"
    else
      printf '%-8s %7s %12s %12s %7s\n' "$t" "$threads" "${p:-n/a}" "${l:-n/a}" "n/a" # a run failed or was skipped
    fi
  done
done | tee "$out/summary.txt"
