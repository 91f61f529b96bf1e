"""`make audit`, part three: schemathesis against the OpenAPI document of a running instance
(security/instance.py), authenticated with an API token, every check on: no server
errors, status codes, content types, headers and bodies as documented, schema-invalid
requests refused, schema-valid ones accepted, authentication not ignored, and stateful
sequences along the document's links.  Bounded: a few dozen examples per operation and
phase, about a minute.  Exits non-zero on any failure.

QUIZAPP_AUDIT_EXAMPLES and QUIZAPP_AUDIT_SEED change the bound and the seed (fixed by
default, so CI is reproducible; a failure prints its seed and a curl command).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from instance import BIN, local_instance

HERE = Path(__file__).resolve().parent


def main() -> int:
    examples = os.environ.get("QUIZAPP_AUDIT_EXAMPLES", "40")
    seed = os.environ.get("QUIZAPP_AUDIT_SEED", "20260107")
    started = time.perf_counter()
    with local_instance() as instance:
        token, finished_attempt = instance.scanner_setup()
        config = Path(instance.tmp) / "schemathesis.toml"
        config.write_text((HERE / "schemathesis.toml").read_text(encoding="utf-8") + (
            '\n[[operations]]\ninclude-name = "GET /attempts/{attempt_id}/result"\n'
            f"parameters = {{ attempt_id = {finished_attempt} }}\n"), encoding="utf-8")
        command = [str(BIN / "schemathesis"), "--no-color", "--config-file", str(config), "run",
                   f"{instance.url}/api/v1/openapi.json", "--header", f"Authorization: Bearer {token}",
                   "--checks", "all", "--max-examples", examples, "--seed", seed, "--workers", "2",
                   "--request-timeout", "10", "--output-truncate", "true"]
        result = subprocess.run(command, env=instance.env, cwd=instance.tmp, timeout=900)
    print(f"schemathesis: exit {result.returncode} in {time.perf_counter() - started:.0f} s", flush=True)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
