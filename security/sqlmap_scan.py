"""`make audit`, part two: sqlmap against every form and query parameter of a running
instance on 127.0.0.1 (security/instance.py), bounded (level 1, risk 1, 5 s timeout).
Seed values match real rows, or sqlmap would miss real injections.  Exits 1 if sqlmap
reports anything injectable."""
from __future__ import annotations

import re
import subprocess
import sys

from instance import BIN, local_instance


def main() -> int:
    with local_instance() as instance:
        base, env, tmp = instance.url, instance.env, instance.tmp
        targets = [
            ["-u", f"{base}/leaderboard/first-steps?period=all&board=standard&page=1"],
            ["-u", f"{base}/leaderboard/?period=week&board=extended&page=1"],
            ["-u", f"{base}/leaderboard/first-steps*"],
            ["-u", f"{base}/users/scanner*"],
            ["-u", f"{base}/api/v1/leaderboards/first-steps?period=all&board=standard&page=1"],
            ["-u", f"{base}/study/trade*"],
            ["-u", f"{base}/login", "--data", "username=scanner&password=scanner-password&csrf_token=x",
             "--csrf-token=csrf_token", f"--csrf-url={base}/login", "-p", "username,password"],
            ["-u", f"{base}/register", "--data", "username=someone&password=long-enough&confirm=long-enough&csrf_token=x",
             "--csrf-token=csrf_token", f"--csrf-url={base}/register", "-p", "username,password,confirm"],
        ]
        findings = []
        for target in targets:
            command = [str(BIN / "sqlmap"), *target, "--batch", "--level=1", "--risk=1", "--timeout=5",
                       "--retries=0", "--flush-session", "--disable-coloring", f"--output-dir={tmp}/sqlmap"]
            output = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600).stdout
            lines = output.splitlines()
            vulnerable = [line for line in lines if "is vulnerable" in line
                          or re.search(r"parameter '[^']+' (is|appears to be) '.+' injectable", line)]
            clean = any("do not appear to be injectable" in line for line in lines)
            if vulnerable:
                verdict = "INJECTABLE: " + "; ".join(vulnerable)
                findings += vulnerable
            elif clean:
                verdict = "no injection (all tested parameters)"
            else:  # sqlmap stopped before testing: a 404, a crash... the target was not covered
                last = [line for line in lines if "[CRITICAL]" in line or "[ERROR]" in line][-1:]
                verdict = "NOT TESTED: " + (last[0] if last else "no verdict from sqlmap")
                findings.append(verdict)
            print(f"sqlmap {' '.join(target[:2])}: {verdict}", flush=True)
    print(f"sqlmap: {len(targets)} targets, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
