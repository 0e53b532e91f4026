// llama.cpp's own cost of a LoRA adapter on decode (issue 19), through node-llama-cpp's prebuilt libraries:
// rounds of one context without and one with the adapter (scale 1) over the same loaded model, alternating,
// each decoding the same GENERATE tokens one at a time from an empty cache (as llamacpp-bench.mjs's tg128).
// llama.cpp has no JIT, so pairing in one process is fair. Per context: ms per token of this process's CPU
// time (user + system: all its threads) and of the clock. Run 0 warms up.
//
// usage: node llamacpp-lora.mjs BASE.gguf ADAPTER.gguf [threads=1] [rounds=4] [tokens=64]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [file, adapter, threadsArg, roundsArg, tokensArg] = process.argv.slice(2);
if (!file || !adapter) {
    console.error("usage: node llamacpp-lora.mjs BASE.gguf ADAPTER.gguf [threads] [rounds] [tokens]");
    process.exit(2);
}
const threads = Number(threadsArg ?? 1), rounds = Number(roundsArg ?? 4), GENERATE = Number(tokensArg ?? 64);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn});
const model = await llama.loadModel({modelPath: file, gpuLayers: 0});
const vocab = model.fileInsights.metadata?.tokenizer?.ggml?.tokens?.length ?? 32000;
const tokens = Array.from({length: GENERATE}, (_, i) => 100 + (i * 7919) % (vocab - 200));

async function decode(withAdapter) {
    const context = await model.createContext({contextSize: GENERATE + 16, batchSize: 16, threads, sequences: 1,
        ...(withAdapter ? {lora: {adapters: [{filePath: adapter, scale: 1}]}} : {})});
    const sequence = context.getSequence();
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    for (let n = 0; n < GENERATE; n++) {
        await sequence.evaluateWithoutGeneratingNewTokens([tokens[n]]);
    }
    const wall = performance.now() - t0, cpu = process.cpuUsage(cpu0);
    await context.dispose();
    return {cpuMs: (cpu.user + cpu.system) / 1000 / GENERATE, clockMs: wall / GENERATE};
}

for (let r = 0; r <= rounds; r++) {
    const order = r % 2 ? [true, false] : [false, true];
    for (const withAdapter of order) {
        const m = await decode(withAdapter);
        if (r > 0) {
            console.log(JSON.stringify({round: r, model: withAdapter ? "lora" : "base", threads, ...m}));
        }
    }
}
await model.dispose();
await llama.dispose();
