"""Locust: whole journeys (start a quiz, answer every question, open the result), by
pre-made users who log in once in on_start (not counted with the journey)."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from loadclient import CSRF, form_answer  # noqa: E402

USERS = int(os.environ.get("BENCH_JOURNEY_USERS", "64"))
_next = iter(range(10**9))


class Player(HttpUser):
    wait_time = between(0, 0)

    def on_start(self):
        self.name_ = f"journey{next(_next) % USERS}"
        page = self.client.get("/login", name="(login)").text
        self.client.post("/login", name="(login)", data={
            "username": self.name_, "password": "bench-password", "csrf_token": CSRF.search(page).group(1)})

    @task
    def journey(self):
        page = self.client.get("/", name="home").text
        response = self.client.post("/quiz/bench-journey/start", name="start",
                                    data={"csrf_token": CSRF.search(page).group(1)}, allow_redirects=False)
        location = response.headers.get("Location", "")
        match = re.search(r"/attempt/(\d+)", location)
        if not match:
            return
        path = f"/attempt/{match.group(1)}"
        for _ in range(20):
            question = self.client.get(path, name="question", allow_redirects=False)
            if question.status_code == 302:
                break
            self.client.post(path, name="answer", data=form_answer(question.text), allow_redirects=False)
        self.client.get(path + "/result", name="result")


class Hello(HttpUser):
    """The same tool against the bare hello, for the journey's ratio."""

    wait_time = between(0, 0)

    @task
    def hello(self):
        self.client.get("/", name="hello")
