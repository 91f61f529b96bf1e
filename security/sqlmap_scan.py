"""`make audit`, part two: sqlmap against every form and query parameter of a running
instance on 127.0.0.1 (a port this script opened), bounded (level 1, risk 1, 5 s timeout).
Seed values match real rows, or sqlmap would miss real injections.  Exits 1 if sqlmap
reports anything injectable."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="quizapp-sqlmap-") as tmp:
        env = {**os.environ, "QUIZAPP_DATABASE_URL": f"sqlite:///{tmp}/scan.sqlite", "QUIZAPP_SECRET_KEY": "scan",
               "QUIZAPP_INSTANCE_PATH": f"{tmp}/instance", "QUIZAPP_RATELIMIT_ENABLED": "false", "HOME": tmp}
        for args in (["db", "upgrade"], ["bank", "import"]):
            subprocess.run([str(BIN / "flask"), "--app", "quizapp", *args], env=env, cwd=ROOT, check=True,
                           capture_output=True)
        subprocess.run([str(BIN / "flask"), "--app", "quizapp", "users", "create", "scanner", "--password",
                        "scanner-password"], env=env, cwd=ROOT, check=True, capture_output=True)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        port = listener.getsockname()[1]
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"fd://{listener.fileno()}", "--no-control-socket",
             "quizapp:create_app()"], env=env, cwd=ROOT, pass_fds=[listener.fileno()], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
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
        try:
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
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            listener.close()
    print(f"sqlmap: {len(targets)} targets, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
