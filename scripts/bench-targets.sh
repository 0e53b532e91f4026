#!/usr/bin/env bash
# The issues' speed targets in one JMH run: machine limits (before and after), F32 GEMM 2048^3 against
# OpenBLAS, decode matmul with a 4096x11008 weight (N x K = 11008x4096), attention decode at 2048
# positions (32/8 heads, head dim 128), and end-to-end pp512/tg128 on 8-layer TinyLlama-shaped models,
# with llama.cpp on the same files (scripts/llamacpp-bench.sh; skipped without node/npm).
# Usage: scripts/bench-targets.sh [OUT_DIR]   (after ./panamax info has built the class path)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/jdk25.sh
out=${1:-bench-out/targets}
mkdir -p "$out"
[ -f .panamax/classpath ] || ./panamax info >/dev/null
jmh() { name=$1; shift
  echo "=== $name $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$(cat .panamax/classpath)" \
    org.openjdk.jmh.Main "$@" -rf json -rff "$out/$name.json"
}
jmh limits 'MachineLimitsBench' -p threads=1,2 -f 1 -wi 2 -w 1 -i 3 -r 1
jmh gemm 'GemmBench|OpenBlasGemmBench' -p size=2048 -p threads=2 -f 1 -wi 2 -w 2 -i 3 -r 2
jmh decode 'MatmulBench' -p dtype=Q8_0,Q4_0,Q4_K,F16 -p shape=11008x4096 -p tokens=1 -p threads=1,2 -f 1 -wi 3 -w 1 -i 3 -r 1
jmh attention 'AttentionBench.decode' -p positions=2048 -p cacheType=F16,F32 -p threads=2 -f 1 -wi 3 -w 1 -i 3 -r 1
jmh e2e 'EndToEndBench' -p layers=8 -p type=q8_0,q4_0,q4_k_m,q6_k,f32 -p threads=2 -f 1 -wi 2 -i 3
# the peer, on the files EndToEndBench just used (java.io.tmpdir/panamax-synth)
synth=${TMPDIR:-/tmp}/panamax-synth
scripts/llamacpp-bench.sh "$out/llamacpp.jsonl" $(for t in q8_0 q4_0 q4_k_m q6_k f32; do echo "$synth/tinyllama-1.1b-8l-$t.gguf"; done)
jmh limits2 'MachineLimitsBench' -p threads=1,2 -f 1 -wi 2 -w 1 -i 3 -r 1
