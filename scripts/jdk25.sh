# Sourced by ./panamax and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Keeps a JAVA_HOME that is already new enough; otherwise looks under /usr/lib/jvm.
# The feature version of the JDK at $1: from its `release` file, read by the shell itself (POSIX sh: ./mvnw
# sources this too; no JVM start: each costs 0.1-0.5 s of a command's start-up; no sed either), else from the JVM itself.
java_feature() {
  local line v
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=*)
          v=${line#JAVA_VERSION=}
          v=${v#\"}
          v=${v%%[!0-9]*}
          if [ -n "$v" ]; then
            echo "$v"
            return
          fi
          ;;
      esac
    done <"$1/release"
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
panamax_pick_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_feature "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if [ "$(java_feature "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/java" ] && [ "$(java_feature "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  local found=${JAVA_HOME:-$(command -v java 2>/dev/null || echo none)}
  echo "panamax: Panamax needs Java 25 or newer and found none (JAVA_HOME or java: $found, nothing newer under /usr/lib/jvm); install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
panamax_pick_jdk
