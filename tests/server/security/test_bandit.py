"""Bandit over core/, server/ and apps/: no finding of medium or high severity that is not accepted, and
every acceptance (`# nosec <id>`) gives its reason in a "<id> (bandit) accepted: ..." comment just above."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "server", "apps")
NOSEC = re.compile(r"#\s*nosec\b(?P<ids>[^#]*)")


def test_no_unaccepted_medium_or_high_findings() -> None:
    run = subprocess.run([sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", *PACKAGES, "-q", "-f", "json",
                          "--severity-level", "medium"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    assert report["errors"] == []
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert findings == []


def test_every_accepted_finding_names_its_id_and_reason() -> None:
    unexplained = []
    for path in (p for package in PACKAGES for p in (ROOT / package).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            found = NOSEC.search(line)
            if not found:
                continue
            ids = re.findall(r"B\d{3}", found.group("ids"))
            above = "\n".join(lines[max(0, number - 5):number])
            if not ids or not all(re.search(rf"{i} \(bandit\) accepted: \S", above) for i in ids):
                unexplained.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert unexplained == []
