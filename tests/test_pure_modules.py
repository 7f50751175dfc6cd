"""The pure clinical modules run without Django: importing each loads no Django module.

The list is the one CI's import-linter contract names (pyproject.toml
[tool.importlinter], "The pure clinical modules import nothing of Django"), so a
module added there is checked here too, in a fresh interpreter where nothing else
has loaded Django first.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]
PURE = next(c for c in CONTRACTS if c["name"].startswith("The pure clinical modules"))
CHECK = (
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
    "assert not loaded, loaded\n"
)


def test_the_contract_names_the_modules_the_guide_calls_pure():
    assert {"toxicity.ctcae", "toxicity.rules", "patients.dosing"} <= set(PURE["source_modules"])
    assert "django" in PURE["forbidden_modules"]


@pytest.mark.parametrize("module", PURE["source_modules"])
def test_importing_the_module_loads_no_django_module(module):
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", CHECK, module],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
