# Writes snippets-expected.jsonl: every template of snippets.json rendered by Python Jinja2 in the environment
# Hugging Face transformers renders chat templates in (transformers/utils/chat_template_utils.py:
# ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, a {% generation %} tag, tojson as
# json.dumps, raise_exception, strftime_now).
#
#   python3 make_snippets.py > snippets-expected.jsonl        (Jinja2 3.1.6)
#
# Each line: {"name", "text"} or, where rendering raises, {"name", "error"}.
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_jinja import environment  # noqa: E402

env = environment()
here = os.path.dirname(os.path.abspath(__file__))
for s in json.load(open(os.path.join(here, "snippets.json"), encoding="utf-8")):
    line = {"name": s["name"]}
    try:
        line["text"] = env.from_string(s["template"]).render(**s.get("context", {}))
    except Exception as e:  # noqa: BLE001 - the error is the expected result
        line["error"] = type(e).__name__ + ": " + str(e)
    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
