"""How long validating and importing a big bank takes.

    .venv/bin/python bench/bank_bench.py [--questions 10000] [--files 10] [--database-url URL]

Writes a valid bank of N questions (every type, in turn) and a few quizzes into a
temporary folder, then times ``load_bank`` (parse + validate) and ``import_bank`` into a
fresh database whose schema comes from the real migrations (SQLite in the temporary
folder unless --database-url is given; that database must be empty).  Prints the seconds
for each step and the total; the target is 5 s for 10,000 questions.  A second import of
the same bank (which must change nothing) is timed too, for information.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizapp.bank.loader import TAGS  # noqa: E402

TARGET_SECONDS = 5.0
HEADER = "# yaml-language-server: $schema=../docs/bank.schema.json\n"


def localized(ru: str, en: str) -> dict[str, str]:
    # Every bank text needs all four languages; the benchmark's Kazakh and Chinese are stand-ins
    # of about the same length, which is what loading and importing cost depends on.
    return {"ru": ru, "en": en, "kk": f"{ru} (kk)", "zh": f"{en} (zh)"}


def make_question(n: int) -> dict:
    """The n-th generated question: every type in turn, all of them valid."""
    kinds = ("single", "multiple", "true_false", "numeric", "year", "ordering", "matching", "text")
    kind = kinds[n % len(kinds)]
    question: dict = {
        "id": f"gen-{n:05d}",
        "type": kind,
        "text": localized(f"Вопрос номер {n} о сотрудничестве Китая и Казахстана?",
                          f"Question number {n} about China–Kazakhstan cooperation?"),
    }
    labels = [localized(f"Вариант {n}-{i}", f"Option {n}-{i}") for i in range(4)]
    if kind == "single":
        question["options"] = {f"o{i}": label for i, label in enumerate(labels)}
        question["answer"] = f"o{n % 4}"
    elif kind == "multiple":
        question["options"] = {f"o{i}": label for i, label in enumerate(labels)}
        question["answers"] = ["o0", f"o{1 + n % 3}"]
    elif kind == "true_false":
        question["answer"] = n % 2 == 0
    elif kind == "numeric":
        question.update(answer=round(n / 7, 1), tolerance=0.1, unit=localized("млрд долларов США", "billion USD"))
    elif kind == "year":
        question.update(answer=1900 + n % 126, tolerance=n % 2)
    elif kind == "ordering":
        question["items"] = {f"i{i}": label for i, label in enumerate(labels)}
    elif kind == "matching":
        question["pairs"] = [{"left": localized(f"Слева {n}-{i}", f"Left {n}-{i}"),
                              "right": localized(f"Справа {n}-{i}", f"Right {n}-{i}")} for i in range(3)]
    else:
        question.update(answer=localized(f"Ответ {n}", f"Answer {n}"), accept=[f"ответ {n}", f"answer {n}"])
    question.update(
        explanation=localized(f"Пояснение к вопросу {n}: так сказано в статье.",
                              f"Explanation of question {n}: the article says so."),
        source={"paragraph": 1 + n % 14},
        tags=[TAGS[n % len(TAGS)], TAGS[(n + 3) % len(TAGS)]],
        difficulty=1 + n % 3,
    )
    if n % 50 == 0:
        question["event"] = {"date": f"{2000 + n % 26}-{1 + n % 12:02d}", "title": localized(f"Событие {n}", f"Event {n}")}
    return question


def write_bank(folder: Path, questions: int, files: int) -> None:
    per_file = -(-questions // files)
    for index in range(files):
        chunk = [make_question(n) for n in range(index * per_file, min(questions, (index + 1) * per_file))]
        text = yaml.safe_dump({"questions": chunk}, allow_unicode=True, sort_keys=False, width=200)
        (folder / f"generated-{index:02d}.yaml").write_text(HEADER + text, encoding="utf-8")
    quizzes = [{"id": f"topic-{tag}", "title": localized(f"Тема {tag}", f"Topic {tag}"), "time_limit": 600,
                "draw": 15, "from": {"tags": [tag]}} for tag in TAGS]
    quizzes.append({"id": "marathon", "title": localized("Марафон", "Marathon"), "draw": 25, "scoring": "speed"})
    quizzes.append({"id": "fixed", "title": localized("Список", "List"), "shuffle": False,
                    "from": {"ids": [f"gen-{n:05d}" for n in range(0, min(questions, 200), 20)]}})
    text = yaml.safe_dump({"quizzes": quizzes}, allow_unicode=True, sort_keys=False, width=200)
    (folder / "quizzes.yaml").write_text(HEADER + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args(argv)

    import flask_migrate

    from quizapp import create_app
    from quizapp.bank.importer import import_bank
    from quizapp.bank.loader import load_bank
    from quizapp.extensions import db

    with tempfile.TemporaryDirectory(prefix="bank-bench-") as tmp:
        folder = Path(tmp) / "questions"
        folder.mkdir()
        write_bank(folder, args.questions, args.files)
        size = sum(path.stat().st_size for path in folder.glob("*.yaml"))
        print(f"bank: {args.questions:,} questions in {args.files} files + quizzes.yaml ({size / 1e6:.1f} MB)")

        started = time.perf_counter()
        bank = load_bank([folder], root=Path(tmp))
        validate_s = time.perf_counter() - started
        if not bank.ok:
            for problem in bank.problems[:20]:
                print(problem, file=sys.stderr)
            print(f"the generated bank has {len(bank.problems)} problems", file=sys.stderr)
            return 2

        url = args.database_url or "sqlite:///" + str(Path(tmp) / "bench.sqlite")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True},
                         instance_path=str(Path(tmp) / "instance"))
        with app.app_context():
            logging.disable(logging.INFO)  # alembic's "Running upgrade ..." lines
            flask_migrate.upgrade()
            logging.disable(logging.NOTSET)
            now = datetime.now(timezone.utc)
            started = time.perf_counter()
            report = import_bank(db.session, bank, now)
            db.session.commit()
            import_s = time.perf_counter() - started
            assert len(report.added) == args.questions, report.lines()

            started = time.perf_counter()
            again = import_bank(db.session, bank, now)
            db.session.commit()
            reimport_s = time.perf_counter() - started
            assert not again.changed_anything, again.lines()
            db.session.remove()
            db.engine.dispose()

    total = validate_s + import_s
    if hasattr(os, "getloadavg"):
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work slows these figures)")
    print(f"validate (load_bank):     {validate_s:6.2f} s")
    print(f"import (import_bank):     {import_s:6.2f} s")
    print(f"total:                    {total:6.2f} s  (target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'MISSED'})")
    print(f"re-import, unchanged:     {reimport_s:6.2f} s")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
