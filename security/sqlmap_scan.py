"""`make audit`, part two: sqlmap against every form and query parameter of a running
instance on 127.0.0.1 (security/instance.py), bounded (level 1, risk 1, 5 s timeout).
Seed values match real rows, or sqlmap would miss real injections.  Forms behind a login
get the scanner's session cookie and their CSRF token from the page that shows them.
Routes whose only variable is an integer in the path (/attempt/<int>...) are not
targets: nothing but digits reaches them.  Exits 1 if sqlmap reports anything injectable
or could not test a target."""
from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request

from instance import BIN, PASSWORD, USERNAME, local_instance


class Browser:
    """The scanner's logged-in session (urllib), to prepare the targets behind the login."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def page(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def csrf(self, path: str, field: str = "csrf_token") -> str:
        return re.search(rf'name="{re.escape(field)}"[^>]* value="([^"]+)"', self.page(path)).group(1)

    def post(self, path: str, fields: dict[str, str], form_page: str, field: str = "csrf_token") -> str:
        """Submit a form as a browser would; returns the URL it ended on."""
        data = urllib.parse.urlencode({**fields, field: self.csrf(form_page, field)}).encode()
        with self.opener.open(self.base + path, data=data, timeout=30) as response:
            return response.geturl()

    def cookie(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def form(base: str, cookie: str, path: str, data: str, page: str, field: str = "csrf_token") -> list[str]:
    """A sqlmap target for a form behind the login."""
    names = ",".join(pair.split("=")[0] for pair in data.split("&"))
    return ["-u", f"{base}{path}", "--data", f"{data}&{field}=x", f"--cookie={cookie}", "--drop-set-cookie",
            f"--csrf-token={field}", f"--csrf-url={base}{page}", "-p", names]


def main() -> int:
    with local_instance() as instance:
        base, env, tmp = instance.url, instance.env, instance.tmp
        token, _finished = instance.scanner_setup()
        browser = Browser(base)
        browser.post("/login", {"username": USERNAME, "password": PASSWORD}, "/login")
        # Untimed: the attempt below never runs out of time, however long sqlmap takes.
        browser.post("/account/time", {"time-time_accommodation": "untimed"}, "/account/", "time-csrf_token")
        attempt = browser.post("/quiz/first-steps/start", {}, "/")[len(base):]  # ends on /attempt/<id>
        assert re.fullmatch(r"/attempt/\d+", attempt), attempt
        api_start = urllib.request.Request(f"{base}/api/v1/quizzes/first-steps/attempts", method="POST",
                                           headers={"Authorization": f"Bearer {token}"})
        with browser.opener.open(api_start, timeout=30) as response:  # the cookie is ignored: a bearer token wins
            api_attempt = re.search(rb'"id":(\d+)', response.read()).group(1).decode()
        cookie = browser.cookie()
        bearer = f"--headers=Authorization: Bearer {token}"
        targets = [
            ["-u", f"{base}/leaderboard/first-steps?period=all&board=standard&page=1"],
            ["-u", f"{base}/leaderboard/?period=week&board=extended&page=1"],
            ["-u", f"{base}/leaderboard/first-steps*"],
            # Profiles are private: only the signed-in owner (or an admin) gets the page to test.
            ["-u", f"{base}/users/scanner*", f"--cookie={cookie}", "--drop-set-cookie"],
            ["-u", f"{base}/api/v1/leaderboards/first-steps?period=all&board=standard&page=1"],
            ["-u", f"{base}/study/trade*"],
            ["-u", f"{base}/login", "--data", "username=scanner&password=scanner-password&csrf_token=x",
             "--csrf-token=csrf_token", f"--csrf-url={base}/login", "-p", "username,password"],
            ["-u", f"{base}/register", "--data", "username=someone&password=long-enough&confirm=long-enough&csrf_token=x",
             "--csrf-token=csrf_token", f"--csrf-url={base}/register", "-p", "username,password,confirm"],
            ["-u", f"{base}/login?next=/leaderboard/"],
            ["-u", f"{base}/api/v1/leaderboards/overall?period=all&board=standard&page=1"],
            ["-u", f"{base}/users/{USERNAME}?page=1", f"--cookie={cookie}", "--drop-set-cookie"],
            ["-u", f"{base}/admin/users?q={USERNAME}&page=1", f"--cookie={cookie}", "--drop-set-cookie"],
            ["-u", f"{base}/language", "--data", "lang=en&next=/&csrf_token=x", "--csrf-token=csrf_token",
             f"--csrf-url={base}/", "-p", "lang,next"],
            form(base, cookie, "/quiz/first-steps*/start", "x=1", "/"),
            form(base, cookie, attempt, "position=0&answer=99", attempt),  # 99: no option, so never recorded
            # A wrong current password: every field is read and checked, but nothing changes. With
            # the right one, sqlmap's first request would change the password, which ends every
            # session of the scanner (session_version) and leaves the targets below untested.
            form(base, cookie, "/profile/password", f"password-current=not-{PASSWORD}&password-password={PASSWORD}"
                 f"&password-confirm={PASSWORD}", f"/users/{USERNAME}", "password-csrf_token"),
            form(base, cookie, "/profile/language", "language-locale=en", f"/users/{USERNAME}", "language-csrf_token"),
            form(base, cookie, "/profile/visibility", "visibility-visibility=members", f"/users/{USERNAME}",
                 "visibility-csrf_token"),
            form(base, cookie, "/account/time", "time-time_accommodation=untimed", "/account/", "time-csrf_token"),
            form(base, cookie, "/account/tokens", "token-name=scan", "/account/", "token-csrf_token"),
            form(base, cookie, "/admin/users/1/hide", "next=/admin/users", "/admin/users"),
            ["-u", f"{base}/api/v1/quizzes/first-steps*/attempts", "--method=POST", bearer],
            ["-u", f"{base}/api/v1/attempts/{api_attempt}/answers", "--data", '{"position": 0, "answer": "x"}',
             bearer, "-p", "position,answer"],
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
        # Proof that the forms behind the login were reached, not the login page: sqlmap's
        # payloads are there as token names (as plain text, which is the point).
        with sqlite3.connect(f"{tmp}/scan.sqlite") as database:
            reached = database.execute("SELECT count(*) FROM api_token WHERE name LIKE '%AND%'").fetchone()[0]
        if not reached:
            findings.append("NOT TESTED: sqlmap's requests never reached the token form (session or CSRF lost?)")
            print(findings[-1], flush=True)
    print(f"sqlmap: {len(targets)} targets, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
