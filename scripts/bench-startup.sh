#!/usr/bin/env bash
# Issue 18 target 4: process start to the first generated token of `./panamax generate` on stories260K, with and
# without the launcher's JDK AOT cache, alternating so both see the same load. Per round and mode: the clock from the
# process's start (the launcher's own, as the OS records it) to the first generated token (`generate --timings`),
# and the process's CPU time (user + sys of the launcher, `find` and the JVM with all its threads: /usr/bin/time).
# The target is the clock figure on an idle machine; on a loaded one the CPU figure is the one to compare.
# Usage: scripts/bench-startup.sh   (env: ROUNDS=5 MODEL=stories260K-f32.gguf PROMPT="Once upon a time" TOKENS=1
#        THREADS=0 (all), LAUNCHER=./panamax (another checkout's launcher to compare), PANAMAX_MODELS)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
launcher=${LAUNCHER:-$root/panamax}
export PANAMAX_MODELS="${PANAMAX_MODELS:-$root/../shared/models}"
model="$PANAMAX_MODELS/${MODEL:-stories260K-f32.gguf}"
[ -f "$model" ] || { echo "bench-startup: no $model (set PANAMAX_MODELS)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "bench-startup: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
args=(generate -m "$model" -n "${TOKENS:-1}" --temp 0 -t "${THREADS:-0}" -p "${PROMPT:-Once upon a time}" --timings)
# build and record the cache first, so that no round pays for them
PANAMAX_AOT=1 "$launcher" "${args[@]}" >/dev/null 2>&1
one() { # $1: AOT setting; prints "first-token-seconds cpu-seconds"
  local log
  log=$(PANAMAX_AOT=$1 /usr/bin/time -f 'cpu %U %S' "$launcher" "${args[@]}" 2>&1 >/dev/null)
  local first cpu
  first=$(sed -n 's/.*first token \([0-9.]*\) s after process start.*/\1/p' <<<"$log")
  cpu=$(awk '/^cpu / { printf "%.3f", $2 + $3 }' <<<"$log")
  [ -n "$first" ] && [ -n "$cpu" ] || { echo "bench-startup: unexpected output:" >&2; echo "$log" >&2; exit 1; }
  echo "$first $cpu"
}
echo "launcher $launcher, $(basename "$model"), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-6s %-10s %16s %14s %s\n' round cache 'first token s' 'process cpu s' 'load (1 5 15 min)'
for r in $(seq 1 "${ROUNDS:-5}"); do
  for aot in 1 0; do
    read -r first cpu < <(one "$aot")
    printf '%-6s %-10s %16s %14s %s\n' "$r" "$([ "$aot" = 1 ] && echo aot || echo none)" "$first" "$cpu" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done | tee /dev/stderr | awk '{ n[$2]++; f[$2] += $3; c[$2] += $4; if (!($2 in fmin) || $3 < fmin[$2]) fmin[$2] = $3;
  if (!($2 in cmin) || $4 < cmin[$2]) cmin[$2] = $4 }
  END { for (k in n) printf "%-5s mean first token %.3f s (best %.3f), mean process cpu %.3f s (best %.3f), %d rounds\n",
        k, f[k] / n[k], fmin[k], c[k] / n[k], cmin[k], n[k] }' 2>/dev/null
