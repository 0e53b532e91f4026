#!/usr/bin/env bash
# Fuzzes one target for longer than the build's 8 s, its corpus seeded with the real files in ../shared.
#
#   scripts/fuzz.sh TARGET [DURATION]      e.g. scripts/fuzz.sh GgufTokenizerFuzzTest 30m
#
# TARGET is a fuzz test class: GgufParserFuzzTest, SafetensorsParserFuzzTest, HfConfigFuzzTest (formats);
# HuggingFaceTokenizerFuzzTest, TokenizerConfigFuzzTest, GgufTokenizerFuzzTest, HfConfigReaderFuzzTest,
# JinjaTemplateFuzzTest (transformer). DURATION is Jazzer's (10m, 2h, 90s; default 10m): JAZZER_MAX_DURATION
# overrides the target's maxDuration. Real files go into Jazzer's generated corpus
# (MODULE/.cifuzz-corpus/CLASS/METHOD, git-ignored), never into the committed Inputs directories; a finding
# is written to src/test/resources/.../CLASSInputs/METHOD/crash-*, where the normal build replays it:
# commit it with the fix. PANAMAX_SHARED (default ../shared beside the checkout, else /work/shared) names the
# real files.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [DURATION]}
duration=${2:-10m}
shared=${PANAMAX_SHARED:-$( [ -d ../shared ] && echo ../shared || echo /work/shared )}

file=$(find formats/src/test transformer/src/test -name "$target.java" | head -1)
[ -n "$file" ] || { echo "no fuzz target $target" >&2; exit 2; }
module=${file%%/src/*}
class=$(sed -n 's/^package \(.*\);/\1/p' "$file").$target
method=$(grep -A1 '@FuzzTest' "$file" | sed -n 's/.*void \([A-Za-z0-9_]*\)(.*/\1/p' | head -1)
corpus=$module/.cifuzz-corpus/$class/$method
mkdir -p "$corpus"

# Seeds: the real files this target reads, gunzipped, none over 32 MiB (libFuzzer reads only a prefix anyway).
seed() { # seed NAME FILE
    local f=$2
    [ -f "$f" ] || return 0
    [ "$(stat -c %s "$f")" -le $((32 << 20)) ] || return 0
    case $f in
        *.gz) gunzip -c "$f" > "$corpus/$1" ;;
        *) cp "$f" "$corpus/$1" ;;
    esac
}
shopt -s nullglob
n=0
case $target in
    HuggingFaceTokenizerFuzzTest)
        for f in "$shared"/tokenizers/*/tokenizer.json*; do seed "$(basename "$(dirname "$f")")" "$f"; n=$((n + 1)); done ;;
    TokenizerConfigFuzzTest)
        for f in "$shared"/tokenizers/*/tokenizer_config.json; do seed "$(basename "$(dirname "$f")")" "$f"; n=$((n + 1)); done ;;
    GgufTokenizerFuzzTest|GgufParserFuzzTest)
        for f in "$shared"/tokenizers/*.gguf "$shared"/models/vocab/*.gguf "$shared"/models/*.gguf; do seed "$(basename "$f")" "$f"; n=$((n + 1)); done ;;
    HfConfigFuzzTest|HfConfigReaderFuzzTest)
        for f in "$shared"/models/*/config.json; do seed "$(basename "$(dirname "$f")")" "$f"; n=$((n + 1)); done ;;
    SafetensorsParserFuzzTest)
        for f in "$shared"/models/*/*.safetensors; do seed "$(basename "$(dirname "$f")")-$(basename "$f")" "$f"; n=$((n + 1)); done ;;
    JinjaTemplateFuzzTest)
        for f in "$shared"/tokenizers/*/tokenizer_config.json "$shared"/models/*/tokenizer_config.json; do
            name=$(basename "$(dirname "$f")")
            jq -r 'if (.chat_template | type) == "string" then .chat_template
                   elif (.chat_template | type) == "array" then .chat_template[0].template else empty end' "$f" \
                > "$corpus/$name" 2>/dev/null || true
            [ -s "$corpus/$name" ] && n=$((n + 1)) || rm -f "$corpus/$name"
        done
        for f in "$shared"/models/*/chat_template.jinja; do seed "$(basename "$(dirname "$f")")" "$f"; n=$((n + 1)); done ;;
    *) echo "no seeds known for $target; fuzzing from its committed Inputs only" >&2 ;;
esac
echo "fuzzing $class.$method for $duration from $(ls "$corpus" | wc -l) corpus files ($n from $shared)"

export JAZZER_FUZZ=1 JAZZER_MAX_DURATION=$duration
# as in transformer/pom.xml: tokenizer.json's Split patterns are regexes by design
[ "$target" = HuggingFaceTokenizerFuzzTest ] && export JAZZER_DISABLED_HOOKS=com.code_intelligence.jazzer.sanitizers.RegexInjection
./mvnw -B -ntp -pl "$module" -am verify -Dpanamax.fuzz.skip=true -Djacoco.skip=true \
    -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false
