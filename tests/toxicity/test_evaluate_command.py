"""`manage.py evaluate FILE|-` prints the contract's JSON, or exits 2 naming bad fields."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = {
    "drug": "cabozantinib",
    "dose_mg_per_day": 20,
    "holds_at_current_dose": 1,
    "observations": [{"term": "diarrhea", "stools_per_day": 9, "baseline_stools_per_day": 1}],
}


def run(*args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "manage.py", "evaluate", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ | {"DJANGO_DEBUG": "1"},
    )


def test_a_scenario_from_a_file_is_answered(tmp_path):
    source = tmp_path / "scenario.json"
    source.write_text(json.dumps(SCENARIO))
    result = run(str(source))
    assert result.returncode == 0, result.stderr
    # Reference scenario 23: grade 3 diarrhoea recurring at cabozantinib's lowest dose.
    assert json.loads(result.stdout)["action"] == "discontinue"


def test_scenarios_from_standard_input_are_answered_in_order():
    result = run("-", stdin=json.dumps([SCENARIO, {**SCENARIO, "observations": []}]))
    assert result.returncode == 0, result.stderr
    assert [a["action"] for a in json.loads(result.stdout)] == ["discontinue", "continue"]


def test_bad_input_exits_2_naming_the_field():
    result = run("-", stdin=json.dumps({**SCENARIO, "dose_mg_per_day": 30}))
    assert result.returncode == 2
    assert "dose_mg_per_day" in json.loads(result.stdout)["errors"]


def test_text_that_is_not_json_exits_2():
    result = run("-", stdin="drug=lenvatinib")
    assert result.returncode == 2
    assert "errors" in json.loads(result.stdout)


def test_a_missing_file_exits_2():
    result = run("/nonexistent/scenario.json")
    assert result.returncode == 2
    assert "source" in json.loads(result.stdout)["errors"]


def test_duplicate_keys_are_refused_with_exit_2_and_a_json_error():
    text = '{"drug": "lenvatinib", "drug": "sorafenib", "dose_mg_per_day": 24}'
    result = run("-", stdin=text)
    assert result.returncode == 2
    assert "duplicate key 'drug'" in json.loads(result.stdout)["errors"]["request"]


def test_a_deeply_nested_request_exits_2_with_a_json_error_not_a_traceback():
    result = run("-", stdin="[" * 100_000 + "]" * 100_000)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nested too deeply" in json.loads(result.stdout)["errors"]["request"]


def test_a_batch_answers_the_good_scenarios_and_each_bad_one_in_place():
    bad = {**SCENARIO, "dose_mg_per_day": 30}
    result = run("-", stdin=json.dumps([SCENARIO, bad, {**SCENARIO, "observations": []}]))
    assert result.returncode == 2
    answers = json.loads(result.stdout)
    assert answers[0]["action"] == "discontinue"
    assert "dose_mg_per_day" in answers[1]["errors"]
    assert answers[2]["action"] == "continue"
