#!/usr/bin/env bash
# Prepares .gpu/ (ignored by git) for a GPU session on a bare machine: a jlinked JDK 25 in .gpu/jdk and
# (plus java.xml and jdk.zipfs, which JUnit's XML reports and jar scanning need) and the test class path in .gpu/lib (JUnit's console launcher, the built jars and their dependencies,
# JCuda's linux-x86_64 natives included). Run here, from anywhere in the repository; then carry .gpu
# to the GPU machine and run scripts/gpu-session.sh there. Everything must stay under 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JUNIT_PLATFORM=1.14.4

./mvnw -q -o -pl kernels-cuda -am install -DskipTests
rm -rf .gpu
mkdir -p .gpu/lib

"$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,java.xml,jdk.zipfs \
  --strip-debug --compress=zip-9 --no-header-files --no-man-pages --output .gpu/jdk

./mvnw -q -o -pl kernels-cuda dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/.gpu/lib" \
  -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
./mvnw -q -pl kernels-cuda dependency:copy \
  -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM -DoutputDirectory="$PWD/.gpu/lib"
# Only JCudaDriver's JNI library is used (no runtime API, NVRTC or nvPTXCompiler): keep just it.
natives=$(ls .gpu/lib/jcuda-natives-*.jar)
rm -rf .gpu/natives && mkdir -p .gpu/natives && (cd .gpu/natives && "$JAVA_HOME/bin/jar" --extract --file "../lib/$(basename "$natives")")
find .gpu/natives/lib -type f ! -name 'libJCudaDriver-*' -delete
rm "$natives" && "$JAVA_HOME/bin/jar" --create --file "$natives" -C .gpu/natives lib && rm -rf .gpu/natives
cp kernels-cuda/target/panamax-kernels-cuda-*.jar .gpu/lib/
"$JAVA_HOME/bin/jar" --create --file .gpu/lib/panamax-kernels-cuda-testclasses.jar -C kernels-cuda/target/test-classes .
# kernels-cuda's own jar and the test jar of tensor are what the session needs from this build;
# the test-jar of tensor is copied by copy-dependencies.

ls -la .gpu/lib
size=$(du -sb .gpu | cut -f1)
echo ".gpu holds $((size / 1024 / 1024)) MiB ($size bytes)"
if [ "$size" -ge $((64 * 1024 * 1024)) ]; then
  echo "error: .gpu is over the 64 MiB that a device session can carry" >&2
  exit 1
fi
