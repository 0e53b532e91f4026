#!/usr/bin/env bash
# Runs on the GPU machine from the repository root: the CUDA tests (JUnit console launcher) and a
# small benchmark, then, if python3 with torch is there, torch's numbers for the same shapes.
# Uses java from the PATH if it is 25 or newer, else the JDK that scripts/gpu-prepare.sh put in .gpu/jdk.
# Results go to $OUT (default .gpu/out, ignored by git).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/.gpu/out}
mkdir -p "$OUT"

JAVA=
if command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; then
  JAVA=java
elif [ -x .gpu/jdk/bin/java ]; then
  JAVA=.gpu/jdk/bin/java
else
  echo "no JDK 25: install one or run scripts/gpu-prepare.sh on the build machine and carry .gpu" >&2
  exit 2
fi
[ -d .gpu/lib ] || { echo ".gpu/lib is missing: run scripts/gpu-prepare.sh first" >&2; exit 2; }

{ command -v nvidia-smi >/dev/null && nvidia-smi; "$JAVA" -version; } >"$OUT/machine.txt" 2>&1
CP=$(ls .gpu/lib/*.jar | grep -v console-standalone | paste -sd:)
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)

echo "== CUDA tests"
"$JAVA" "${FLAGS[@]}" -jar .gpu/lib/junit-platform-console-standalone-*.jar execute \
  --class-path "$CP" --select-package dev.panamax.kernels.cuda --reports-dir "$OUT/junit" \
  --details=tree --disable-banner 2>&1 | tee "$OUT/tests.txt"
tests_rc=${PIPESTATUS[0]}

echo "== benchmark"
"$JAVA" "${FLAGS[@]}" -cp "$CP" dev.panamax.kernels.cuda.CudaBenchmark 2>&1 | tee "$OUT/benchmark.txt"

if command -v python3 >/dev/null && python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  echo "== torch, same shapes"
  python3 - <<'PY' 2>&1 | tee "$OUT/torch.txt"
import torch, torch.nn.functional as F

def timed(fn, iters=50):
    fn(); torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record(); torch.cuda.synchronize()
    return start.elapsed_time(end) / iters

print(torch.__version__, torch.cuda.get_device_name())
for dt in (torch.float16, torch.bfloat16):
    a = torch.randn(4096, 4096, device="cuda", dtype=dt)
    b = torch.randn(4096, 4096, device="cuda", dtype=dt)
    ms = timed(lambda: a @ b.T)
    print(f"torch.matmul {dt} 4096x4096x4096 {ms:.3f} ms {2 * 4096**3 / ms / 1e9:.1f} TFLOP/s")
hq, hkv, d, ctx = 32, 8, 128, 4096
q = torch.randn(1, hq, 1, d, device="cuda", dtype=torch.float16)
k = torch.randn(1, hkv, ctx, d, device="cuda", dtype=torch.float16)
v = torch.randn(1, hkv, ctx, d, device="cuda", dtype=torch.float16)
ke, ve = k.repeat_interleave(hq // hkv, 1), v.repeat_interleave(hq // hkv, 1)
ms = timed(lambda: F.scaled_dot_product_attention(q, ke, ve))
print(f"scaled_dot_product_attention decode F16 ctx {ctx} Hq{hq} Hkv{hkv} D{d} {ms:.3f} ms "
      f"{2 * k.numel() * 2 / ms / 1e6:.1f} GB/s (of the unexpanded cache)")
x = torch.empty(256 << 20, device="cuda", dtype=torch.float32)
y = torch.empty_like(x)
ms = timed(lambda: y.copy_(x))
print(f"torch copy 1 GiB {ms:.3f} ms {2 * x.numel() * 4 / ms / 1e6:.1f} GB/s")
PY
else
  echo "python3 with CUDA torch not found: no torch comparison" | tee "$OUT/torch.txt"
fi
exit "$tests_rc"
