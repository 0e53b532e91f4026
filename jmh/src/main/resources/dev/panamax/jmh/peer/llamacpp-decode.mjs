// Decode only, as SmallDecodeBench times Panamax: ROUNDS rounds of TOKENS one-token evaluations at positions
// 0, 1, ... from an empty cache (llama-bench's tg128 loop, no sampling), after WARMUP rounds, through the
// prebuilt llama.cpp libraries of node-llama-cpp (see scripts/llamacpp-bench.sh). Per token it reports the
// clock time and the CPU time of the whole process (process.cpuUsage: llama.cpp's threads and node's own
// work per call, so the figure is an upper bound on llama.cpp's decode) as medians over rounds.
//
// usage: node llamacpp-decode.mjs FILE.gguf [threads=1] [rounds=20] [tokens=128] [warmup=5]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [file, threadsArg, roundsArg, tokensArg, warmupArg] = process.argv.slice(2);
if (!file) {
    console.error("usage: node llamacpp-decode.mjs FILE.gguf [threads] [rounds] [tokens] [warmup]");
    process.exit(2);
}
const threads = Number(threadsArg ?? 1), rounds = Number(roundsArg ?? 20);
const TOKENS = Number(tokensArg ?? 128), warmup = Number(warmupArg ?? 5);

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn});
const model = await llama.loadModel({modelPath: file, gpuLayers: 0});
const vocab = model.fileInfo?.metadata?.tokenizer?.ggml?.tokens?.length ?? 32000;
// the token ids SmallDecodeBench feeds
const tokens = Array.from({length: TOKENS}, (_, p) => 1 + (p * 31 + 7) % (vocab - 1));
const context = await model.createContext({contextSize: Math.max(256, TOKENS + 16), batchSize: 512, threads, sequences: 1});
const sequence = context.getSequence();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Two loops over the same tokens. "evaluate": node-llama-cpp's public call per token (its queue, token meter and
// thread splitter cost about 0.4 ms of CPU per call, measured on stories260K, far more than the model's work).
// "decode": the addon's own batch calls that the public call makes (initBatch, addToBatch, decodeBatch: one
// llama_decode on a libuv worker thread per token, logits of the token requested), internal to node-llama-cpp
// 3.22.1 and still a thread hand-off per token (~0.1 ms more than the C program of scripts/llamacpp-decode.sh on llama.h,
// which gives the peer's figures; this script stays to show what the binding adds).
const ctx = context._ctx, id = sequence._sequenceId;
const loops = {
    evaluate: async () => {
        await sequence.clearHistory();
        for (let n = 0; n < TOKENS; n++) {
            await sequence.evaluateWithoutGeneratingNewTokens([tokens[n]]);
        }
    },
    decode: async () => {
        ctx.removeTokenCellsFromSequence(id, 0, TOKENS + 1);
        for (let n = 0; n < TOKENS; n++) {
            ctx.initBatch(1);
            ctx.addToBatch(id, n, Uint32Array.of(tokens[n]), Uint32Array.of(0));
            await ctx.decodeBatch();
        }
    }
};
const result = {};
for (const [name, loop] of Object.entries(loops)) {
    const wallUs = [], cpuUs = [];
    for (let r = 0; r < warmup + rounds; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await loop();
        const wall = (performance.now() - t0) * 1000 / TOKENS;
        const c = process.cpuUsage(c0);
        if (r >= warmup) {
            wallUs.push(wall);
            cpuUs.push((c.user + c.system) / TOKENS);
        }
    }
    result[name] = {wallMicrosPerToken: median(wallUs), processCpuMicrosPerToken: median(cpuUs),
        tokensPerSecond: 1e6 / median(wallUs), wallRuns: wallUs, cpuRuns: cpuUs};
}
console.log(JSON.stringify({file, threads, rounds, tokens: TOKENS, llamaCpp: llama.llamaCppRelease ?? null,
    decodeTokensPerSecond: result.decode.tokensPerSecond, ...result}));
await context.dispose();
await model.dispose();
await llama.dispose();
