"""The layer rules of DESIGN §2, checked in the test run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.split("Contracts:")[-1].replace("0 broken", "")


CLOCK_READS = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic)\s*\("
)


def test_domain_never_reads_the_clock() -> None:
    offenders = []
    for path in sorted((ROOT / "collections_tui" / "domain").rglob("*.py")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CLOCK_READS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert offenders == []


def test_no_float_money_columns() -> None:
    models = (ROOT / "collections_tui" / "store" / "models.py").read_text(encoding="utf-8")
    assert "FloatField" not in models
    assert "DecimalField" not in models
    assert "DoubleField" not in models
