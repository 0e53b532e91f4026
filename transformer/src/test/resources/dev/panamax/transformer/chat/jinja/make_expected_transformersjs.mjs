// Writes expected-transformersjs.jsonl: every conversation of conversations.json rendered with the chat template of every
// tokenizer folder of the shared tokenizer pack that has one, by transformers.js's own apply_chat_template.
//
//   npm install --prefix /tmp/tfjs @huggingface/transformers@4.3.2
//   NODE_PATH=/tmp/tfjs/node_modules node make_expected_transformersjs.mjs /work/shared/tokenizers > expected-transformersjs.jsonl
//
// Each line: {"tokenizer", "conversation", "text"} or, where the template raises, {"tokenizer", "conversation", "error"}.
// tokenize: false; tools and kwargs (e.g. enable_thinking) are passed as a conversation gives them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pack = process.argv[2] ?? '/work/shared/tokenizers';
const require = createRequire(path.join(process.env.NODE_PATH ?? here, 'x.js'));
const { AutoTokenizer, env } = await import(pathToFileURL(require.resolve('@huggingface/transformers')).href);

// transformers.js loads from a local model directory: a copy of each folder with tokenizer.json un-gzipped
const models = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-templates-'));
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = models + '/';
env.useBrowserCache = false;
env.useFSCache = false;

const conversations = JSON.parse(fs.readFileSync(path.join(here, 'conversations.json'), 'utf8'));
const names = fs.readdirSync(pack).filter((d) => fs.existsSync(path.join(pack, d, 'tokenizer_config.json'))).sort();
for (const name of names) {
  const config = JSON.parse(fs.readFileSync(path.join(pack, name, 'tokenizer_config.json'), 'utf8'));
  if (config.chat_template == null) continue;
  fs.mkdirSync(path.join(models, name));
  fs.copyFileSync(path.join(pack, name, 'tokenizer_config.json'), path.join(models, name, 'tokenizer_config.json'));
  fs.writeFileSync(path.join(models, name, 'tokenizer.json'), zlib.gunzipSync(fs.readFileSync(path.join(pack, name, 'tokenizer.json.gz'))));
  const tok = await AutoTokenizer.from_pretrained(name);
  for (const c of conversations) {
    if (c.only && !c.only.includes(name)) continue;
    const line = { tokenizer: name, conversation: c.name };
    try {
      line.text = tok.apply_chat_template(c.messages, {
        tokenize: false, add_generation_prompt: c.add_generation_prompt, tools: c.tools ?? null, ...(c.kwargs ?? {}) });
    } catch (e) {
      line.error = String(e.message);
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}
fs.rmSync(models, { recursive: true });
