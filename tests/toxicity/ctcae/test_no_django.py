"""The CTCAE package is pure Python: importing it loads no Django module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

CHECK = (
    "import sys\n"
    "import toxicity.ctcae, toxicity.ctcae.grading, toxicity.ctcae.terms, toxicity.ctcae.pro\n"
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
    "assert not loaded, loaded\n"
)


def test_importing_toxicity_ctcae_loads_no_django_module():
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", CHECK],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_ctcae_sources_do_not_mention_django_imports():
    package = REPO_ROOT / "toxicity" / "ctcae"
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, source.name
