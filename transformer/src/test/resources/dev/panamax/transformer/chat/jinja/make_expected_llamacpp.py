# Writes llamacpp-templates-python.jsonl.gz: every conversation of conversations.json (but those marked "only")
# rendered with each of the 70 real model templates that llama.cpp keeps in models/templates/*.jinja, by Python
# Jinja2 in Hugging Face transformers' chat-template environment (hf_jinja.py). bos_token and eos_token are
# "<s>" and "</s>"; strftime_now is fixed at 2026-07-04 15:05:09 (a context variable overrides the global, as
# in transformers), so that the renderings do not depend on the day.
#
#   python3 make_expected_llamacpp.py /work/tools/llama.cpp-src/models/templates | gzip -9 -n > llamacpp-templates-python.jsonl.gz
#
# Each line: {"template", "sha256", "conversation", "text"} or {..., "error"}.
import hashlib
import json
import os
import sys
from datetime import datetime

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from hf_jinja import environment  # noqa: E402

NOW = datetime(2026, 7, 4, 15, 5, 9)
env = environment()
folder = sys.argv[1]
conversations = [c for c in json.load(open(os.path.join(here, "conversations.json"), encoding="utf-8")) if not c.get("only")]
for name in sorted(f for f in os.listdir(folder) if f.endswith(".jinja")):
    raw = open(os.path.join(folder, name), "rb").read()
    source = raw.decode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    template = env.from_string(source)
    for c in conversations:
        line = {"template": name, "sha256": digest, "conversation": c["name"]}
        try:
            line["text"] = template.render(messages=c["messages"], add_generation_prompt=c["add_generation_prompt"], tools=c.get("tools"),
                                           documents=None, bos_token="<s>", eos_token="</s>", strftime_now=NOW.strftime, **c.get("kwargs", {}))
        except Exception as e:  # noqa: BLE001 - the error is the expected result
            line["error"] = type(e).__name__ + ": " + str(e)
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
