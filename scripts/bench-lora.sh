#!/usr/bin/env bash
# Issue 19's speed budget: decode cost of a LoRA adapter, measured in separate JVMs. Each pair runs one
# LoraDecodeBench fork with the base model alone (-p models=base) and one with the base plus the adapter alone
# (-p models=lora) over the same file, the order alternating per pair (ABBA) so that a drifting machine load
# falls on both; every fork warms up, then decodes the same tokens at the same positions. Per fork it prints
# ms per token of the caller thread's CPU, of the whole process's CPU and of the clock, and the load average.
# One JVM holding both models (-p models=both) shares the JIT's profiles between them and slows the base,
# which hid most of the cost (docs/lora.md, "Speed").
# Usage: scripts/bench-lora.sh ADAPTER.gguf [OUT_DIR]
#   env: PAIRS=4 THREADS=1 TYPE=q4_k_m LAYERS=8 WI=3 I=8 JVM_ARGS=... CLASSPATH_FILE=.panamax/classpath
#        OTHER_CLASSPATH_FILE=FILE adds a third fork per round, "other": the adapted model on another build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/jdk25.sh
adapter=$(realpath "$1")
out=${2:-bench-out/lora}
mkdir -p "$out"
[ -f .panamax/classpath ] || ./panamax info >/dev/null
cp=$(cat "${CLASSPATH_FILE:-.panamax/classpath}")
other_cp=${OTHER_CLASSPATH_FILE:+$(cat "$OTHER_CLASSPATH_FILE")}
threads=${THREADS:-1}
run() { # $1 = base|lora|other (the adapted model on the other build), $2 = round
  local models=$1 classpath=$cp
  if [ "$1" = other ]; then models=lora; classpath=$other_cp; fi
  local json="$out/$1-$threads-$2.json"
  "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$classpath" \
    org.openjdk.jmh.Main 'LoraDecodeBench.pair' -p lora="$adapter" -p models="$models" -p threads="$threads" \
    -p type="${TYPE:-q4_k_m}" -p layers="${LAYERS:-8}" -f 1 -wi "${WI:-3}" -i "${I:-8}" \
    ${JVM_ARGS:+-jvmArgsAppend "$JVM_ARGS"} -rf json -rff "$json" >"$out/$1-$threads-$2.log" 2>&1
  # the counters are sums over the measured ops of 16 tokens each: ms per token
  jq -r --arg m "$models" --arg name "$1" '.[0] | .secondaryMetrics as $s | (.measurementIterations * 16) as $t |
      [$name, ($s[$m + "Nanos"].score / $t / 1e6), ($s[$m + "ProcessNanos"].score / $t / 1e6),
       ($s[$m + "WallNanos"].score / $t / 1e6)] | @tsv' "$json"
}
printf '%-5s %-5s %10s %10s %10s  %s\n' round model threadMs processMs clockMs load
for pair in $(seq 1 "${PAIRS:-4}"); do
  variants="base lora${other_cp:+ other}"
  if (( pair % 2 )); then order=$variants; else order=$(echo "$variants" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  for m in $order; do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    read -r name tms pms cms < <(run "$m" "$pair")
    printf '%-5s %-5s %10.2f %10.2f %10.2f  %s\n' "$pair" "$name" "$tms" "$pms" "$cms" "$load"
  done
done | tee "$out/summary-$threads.txt"
