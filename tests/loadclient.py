"""A tiny HTML client for load and crash tests: it registers, starts a quiz and answers
every question the way a browser would (reading the form), recording every answer the
server acknowledged.  Standard library only, so it also runs from benchmarks."""
from __future__ import annotations

import html
import http.client
import http.cookies
import re
import urllib.parse
from dataclasses import dataclass, field

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Acknowledged:
    attempt_id: int
    position: int


@dataclass
class Player:
    host: str
    port: int
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict | list | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            if response.status >= 500:
                self.server_errors.append(f"{method} {path}: {response.status}")
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request("GET", path)

    def register(self) -> None:
        _, _, page = self.get("/register")
        token = CSRF.search(page).group(1)
        status, _, _ = self.request("POST", "/register", {"username": self.username, "password": "correct horse",
                                                          "confirm": "correct horse", "csrf_token": token})
        assert status == 302, f"register {self.username}: {status}"

    def start(self, quiz_key: str) -> int:
        _, _, page = self.get("/")
        token = CSRF.search(page).group(1)
        status, headers, _ = self.request("POST", f"/quiz/{quiz_key}/start", {"csrf_token": token})
        assert status == 302, status
        return int(re.search(r"/attempt/(\d+)", headers["Location"]).group(1))

    def answer_one(self, attempt_id: int) -> bool:
        """Answer the current question; False when the attempt is over."""
        status, headers, page = self.get(f"/attempt/{attempt_id}")
        if status == 302:
            return False
        form = form_answer(page)
        status, headers, _ = self.request("POST", f"/attempt/{attempt_id}", form)
        if status == 302:
            position = int(dict(form)["position"])
            self.acknowledged.append(Acknowledged(attempt_id, position))
        return True

    def play(self, quiz_key: str, stop_after: int | None = None) -> int:
        attempt_id = self.start(quiz_key)
        answered = 0
        while (stop_after is None or answered < stop_after) and self.answer_one(attempt_id):
            answered += 1
        return attempt_id


def form_answer(page: str) -> list[tuple[str, str]]:
    """Some valid answer to the question on ``page`` (right or wrong does not matter here)."""
    form = [("csrf_token", CSRF.search(page).group(1)),
            ("position", re.search(r'name="position" type="hidden" value="(\d+)"', page).group(1))]
    radios = re.findall(r'type="radio"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*type="radio"', page)
    checkboxes = re.findall(r'type="checkbox" name="answer" value="([^"]+)"', page)
    selects = re.findall(r'<select[^>]*name="(answer-\d+)"', page)
    if selects:
        # Ordering wants each place once; matching wants each right item once: both take 1..n / 0..n-1.
        values = re.findall(r'<option value="(\d+)"', page)
        distinct = sorted(set(values), key=int)
        form += [(name, distinct[index]) for index, name in enumerate(selects)]
    elif checkboxes:
        form.append(("answer", checkboxes[0]))
    elif radios:
        form.append(("answer", next(a or b for a, b in radios)))
    else:
        form.append(("answer", "1992"))
    return [(k, html.unescape(v)) for k, v in form]
