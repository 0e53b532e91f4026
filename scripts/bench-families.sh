#!/usr/bin/env bash
# End-to-end pp512/tg128 of the new families' synth shapes (issues 13 and 14), Panamax and llama.cpp
# interleaved shape by shape on the same files: EndToEndBench writes each file (java.io.tmpdir/panamax-synth)
# and runs on it, then scripts/llamacpp-bench.sh runs llama.cpp on it. Short runs (one fork, 2 + 3
# iterations; llama.cpp: 1 + REPS repetitions) for a shared machine. ROUNDS=N runs the pair N times per
# shape (Panamax, llama.cpp, Panamax, ...), so that both see the same load; each round its own files.
# The spec "moe" stands for the issue-14 shapes: deepseek-v2-lite:4:q4_k_m gpt-oss-20b:4:mxfp4_moe.
# CPU=1 compares CPU time instead, for a loaded machine (where llama.cpp's spinning threads make its 2-thread clock
# figures meaningless): one thread each, DecodeStepBench's thread CPU time per decode step at position POS (default
# 16) against llama.cpp's process CPU time per token over positions 0 .. TOKENS-1 (default 32) from
# scripts/llamacpp-decode.sh (LLAMACPP_DECODE must name its program). Writes OUT_DIR/TAG.cpu.txt and .llamacpp-cpu.jsonl.
# Usage: scripts/bench-families.sh [OUT_DIR] [SHAPE:LAYERS:TYPE | moe ...]   (after ./panamax info has built the class path)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/jdk25.sh
out=${1:-bench-out/families}
shift || true
specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
  specs=(qwen3-0.6b:8:q4_k_m gemma3-1b:8:q4_k_m phi-4-mini:8:q4_k_m qwen3-30b-a3b:4:q4_k_m deepseek-v2-lite:4:q4_k_m
         gpt-oss-20b:4:mxfp4_moe)
fi
if [ "${specs[0]}" = moe ]; then
  specs=(deepseek-v2-lite:4:q4_k_m gpt-oss-20b:4:mxfp4_moe)
fi
mkdir -p "$out"
[ -f .panamax/classpath ] || ./panamax info >/dev/null
tmp=${TMPDIR:-/tmp}
synth=$tmp/panamax-synth # where EndToEndBench writes the files (its java.io.tmpdir, set below)
for spec in "${specs[@]}"; do
  IFS=: read -r shape layers type <<<"$spec"
  name="$shape-${layers}l-$type"
  for round in $(seq 1 "${ROUNDS:-1}"); do
    tag=$name; [ "${ROUNDS:-1}" = 1 ] || tag=$name.r$round
    echo "=== panamax $name round $round $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ "${CPU:-0}" = 1 ]; then
      [ -f "$synth/$name.gguf" ] || "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$(cat .panamax/classpath)" \
        dev.panamax.jmh.synth.SynthCommand --shape "$shape" --layers "$layers" --type "$type" --out "$synth/$name.gguf"
      "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$(cat .panamax/classpath)" \
        -Djmh.ignoreLock=true org.openjdk.jmh.Main DecodeStepBench -p model="$synth/$name.gguf" -p threads=1 -p position="${POS:-16}" -f 1 -wi 6 -i 5 \
        | grep -E '^DecodeStepBench' | tee "$out/$tag.cpu.txt" || true
      awk '/cpuNanos/ {c = $(NF-1)} /:calls/ {n = $(NF-1)} END {if (n > 0) printf "panamax %s: %.1f ms thread CPU per token\n", FILENAME, c / n / 1e6}' \
        "$out/$tag.cpu.txt"
      THREADS=1 ROUNDS=${REPS:-3} TOKENS=${TOKENS:-32} scripts/llamacpp-decode.sh "$synth/$name.gguf" | tee "$out/$tag.llamacpp-cpu.jsonl"
      continue
    fi
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$tmp" \
      -cp "$(cat .panamax/classpath)" org.openjdk.jmh.Main EndToEndBench -p shape="$shape" -p layers="$layers" -p type="$type" \
      -p threads=2 -f 1 -wi 2 -i 3 -rf json -rff "$out/$tag.json" | grep -E '^EndToEndBench|^Benchmark' || true
    THREADS=2 REPS=${REPS:-3} scripts/llamacpp-bench.sh "$out/$tag.llamacpp.jsonl" "$synth/$name.gguf"
  done
done
