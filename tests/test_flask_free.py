"""The domain modules must work without Flask (STYLE.md): importing them must not import it."""
from __future__ import annotations

import subprocess
import sys

DOMAIN_MODULES = ["quizapp.clock", "quizapp.models", "quizapp.question_types", "quizapp.bank.loader",
                  "quizapp.bank.yaml_reader", "quizapp.bank.importer", "quizapp.questions", "quizapp.modes",
                  "quizapp.attempts", "quizapp.finish", "quizapp.practice", "quizapp.ranking", "quizapp.ranking.rule",
                  "quizapp.ranking.buckets", "quizapp.ranking.reads", "quizapp.ranking.pages",
                  "quizapp.ranking.maintain", "quizapp.ranking.rebuild", "quizapp.users", "quizapp.periods",
                  "quizapp.tokens", "quizapp.learning", "quizapp.study_material", "quizapp.caching", "quizapp.pace",
                  "quizapp.moderation", "quizapp.names", "quizapp.profiles.chart", "quizapp.item_analysis",
                  "quizapp.bank.moodle", "quizapp.bank.gift_import", "quizapp.zones", "quizapp.classes",
                  "quizapp.assignments", "quizapp.class_reports", "quizapp.class_live", "quizapp.exports", "quizapp.live",
                  "quizapp.live.rules", "quizapp.live.games", "quizapp.live.standings", "quizapp.live.messages",
                  "quizapp.live.after"]


def test_domain_modules_do_not_import_flask():
    code = ("import sys, importlib\n"
            "sys.modules['quizapp'] = type(sys)('quizapp'); sys.modules['quizapp'].__path__ = [%r]\n"
            "for name in %r: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.') or m.startswith('flask_')))"
            ) % (__import__("quizapp").__path__[0], DOMAIN_MODULES)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
