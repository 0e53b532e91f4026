// Writes snippets-expected.jsonl: every template of snippets.json rendered by @huggingface/jinja (the engine
// transformers.js renders chat templates with), as transformers.js constructs it (trim_blocks, lstrip_blocks).
//
//   NODE_PATH=/tmp/tfjs/node_modules node make_snippets.mjs > snippets-expected.jsonl
//
// Each line: {"name", "text"} or, where rendering throws, {"name", "error"}.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.NODE_PATH ?? here, 'x.js'));
const { Template } = await import(pathToFileURL(require.resolve('@huggingface/jinja')).href);
for (const s of JSON.parse(fs.readFileSync(path.join(here, 'snippets.json'), 'utf8'))) {
  const line = { name: s.name };
  try {
    line.text = new Template(s.template).render(s.context ?? {});
  } catch (e) {
    line.error = String(e.message);
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}
