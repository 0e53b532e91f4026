// Prefill and decode tokens/s of llama.cpp on a GGUF file, as llama-bench's pp512 / tg128 measure them,
// through the prebuilt llama.cpp libraries of the npm package node-llama-cpp (installed outside the
// repository: see scripts/llamacpp-bench.sh). Also proves that llama.cpp loads the file.
//
// usage: node llamacpp-bench.mjs FILE.gguf [threads=2] [repetitions=3]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [file, threadsArg, repsArg] = process.argv.slice(2);
if (!file) {
    console.error("usage: node llamacpp-bench.mjs FILE.gguf [threads] [repetitions]");
    process.exit(2);
}
const threads = Number(threadsArg ?? 2), repetitions = Number(repsArg ?? 3);
const PROMPT = 512, GENERATE = 128;

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn});
const model = await llama.loadModel({modelPath: file, gpuLayers: 0});
const vocab = model.fileInsights.metadata?.tokenizer?.ggml?.tokens?.length ?? 32000;
// arbitrary in-vocabulary tokens, the same each run (llama-bench feeds random ones)
const tokens = Array.from({length: PROMPT}, (_, i) => 100 + (i * 7919) % (vocab - 200));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const prefill = [], decode = [];
for (let r = 0; r <= repetitions; r++) { // run 0 warms up
    const context = await model.createContext({contextSize: PROMPT + GENERATE + 16, batchSize: PROMPT, threads, sequences: 1});
    const sequence = context.getSequence();
    let t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(tokens);
    const pp = PROMPT / ((performance.now() - t0) / 1000);
    await sequence.clearHistory();
    // decode: one token at a time from an empty cache, without sampling, as llama-bench's tg128 and
    // Panamax's EndToEndBench.decode do (sampling through node-llama-cpp's generator measured 10-40% slower)
    let n = 0;
    t0 = performance.now();
    for (; n < GENERATE; n++) {
        await sequence.evaluateWithoutGeneratingNewTokens([tokens[n]]);
    }
    const tg = n / ((performance.now() - t0) / 1000);
    await context.dispose();
    if (r > 0) { prefill.push(pp); decode.push(tg); }
}
console.log(JSON.stringify({file, threads, repetitions, llamaCpp: llama.llamaCppRelease ?? null,
    prefillTokensPerSecond: median(prefill), decodeTokensPerSecond: median(decode), prefillRuns: prefill, decodeRuns: decode}));
await model.dispose();
await llama.dispose();
