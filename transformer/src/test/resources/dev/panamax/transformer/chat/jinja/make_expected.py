# Writes expected-python.jsonl: every conversation of conversations.json rendered with the chat template of every
# tokenizer folder of the shared tokenizer pack that has one, by Python Jinja2 in Hugging Face transformers'
# chat-template environment (hf_jinja.py), with the context transformers' apply_chat_template passes.
#
#   python3 make_expected.py /work/shared/tokenizers > expected-python.jsonl     (Jinja2 3.1.6)
#
# Each line: {"tokenizer", "conversation", "text"} or, where the template raises, {"tokenizer", "conversation", "error"}.
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from hf_jinja import environment  # noqa: E402

SPECIAL_TOKENS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]
env = environment()
pack = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/tokenizers"
conversations = json.load(open(os.path.join(here, "conversations.json"), encoding="utf-8"))
for name in sorted(os.listdir(pack)):
    path = os.path.join(pack, name, "tokenizer_config.json")
    if not os.path.isfile(path):
        continue
    config = json.load(open(path, encoding="utf-8"))
    source = config.get("chat_template")
    if source is None:
        continue
    if isinstance(source, list):
        source = {t["name"]: t["template"] for t in source}["default"]
    specials = {}
    for key in SPECIAL_TOKENS:
        value = config.get(key)
        value = value.get("content") if isinstance(value, dict) else value
        if value:
            specials[key] = value
    template = env.from_string(source)
    for c in conversations:
        if c.get("only") and name not in c["only"]:
            continue
        line = {"tokenizer": name, "conversation": c["name"]}
        try:
            line["text"] = template.render(messages=c["messages"], add_generation_prompt=c["add_generation_prompt"],
                                           tools=c.get("tools"), documents=None, **specials, **c.get("kwargs", {}))
        except Exception as e:  # noqa: BLE001 - the error is the expected result
            line["error"] = type(e).__name__ + ": " + str(e)
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
