"""Shared by the page audits: axe-core in the page, HTML saved for one vnu run, the
page budget, and the summary printed at the end of the run."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parent.parent
HTML_DIR = ROOT / "test-artifacts" / "html"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
QUESTION_PAGE_BUDGET = 50 * 1024

_axe = Axe()


@dataclass
class AuditLog:
    pages: list[str] = field(default_factory=list)
    axe_violations: list[str] = field(default_factory=list)
    html_files: list[Path] = field(default_factory=list)
    largest_question_page: int = 0
    vnu_errors: int | None = None
    outside_requests: list[str] = field(default_factory=list)
    wider_than_viewport: list[str] = field(default_factory=list)


LOG = AuditLog()


def reset_html_dir() -> None:
    shutil.rmtree(HTML_DIR, ignore_errors=True)
    HTML_DIR.mkdir(parents=True, exist_ok=True)


def audit(page, name: str) -> list[str]:
    """Run axe on the page as it is now and keep its HTML; returns the violations."""
    LOG.pages.append(name)
    results = _axe.run(page)
    found = [f"{name}: {v['id']} ({v['impact']}): {v['help']} — "
             + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                         for node in v["nodes"][:3])
             for v in results.response["violations"]]
    LOG.axe_violations.extend(found)
    save_html(page, name)
    return found


def save_html(page, name: str) -> None:
    """Keep the page's HTML for the one vnu run at the end."""
    path = HTML_DIR / (re.sub(r"[^a-z0-9-]+", "-", name.lower()) + ".html")
    path.write_text(page.content(), encoding="utf-8")
    LOG.html_files.append(path)


def run_vnu(files: list[Path]) -> list[dict]:
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error"]
