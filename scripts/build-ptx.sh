#!/usr/bin/env bash
# Regenerates the committed PTX of the CUDA kernels from kernels-cuda/src/main/cuda/*.cu.
# PTX for compute_80 (Ampere) is JIT-compiled by the driver on any newer GPU (Ada, Hopper, Blackwell).
# The flags here must match CommittedPtxTest, which checks the committed files are what nvcc produces.
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${NVCC:-nvcc}
command -v "$NVCC" >/dev/null || NVCC=/usr/local/cuda/bin/nvcc
src=kernels-cuda/src/main/cuda
dst=kernels-cuda/src/main/resources/dev/panamax/kernels/cuda
mkdir -p "$dst"
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  "$NVCC" -ptx -arch=compute_80 -O3 -o "$dst/$name.ptx" "$cu"
  echo "$dst/$name.ptx"
done
