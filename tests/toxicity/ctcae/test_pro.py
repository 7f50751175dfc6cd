"""PRO-CTCAE composite grades follow reference.md 3.5 cell by cell.

The expected values are built here from a literal copy of the printed tables,
independent of the data in ``toxicity.ctcae.pro``: a typo in either place fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toxicity.ctcae import pro
from toxicity.ctcae.pro import PRO_ITEMS, composite_grade, composite_grade_for_item

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "sources" / "reference.md"

# ---- literal copy of reference.md 3.5 -------------------------------------

SINGLE = """
- F only: 0→0, 1→1, 2→1, 3→2, 4→3
- S only: 0→0, 1→1, 2→2, 3→3, 4→3
- I only: 0→0, 1→1, 2→1, 3→2, 4→2
"""

F_X_S = """
| F | S=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 1 | 1 | 2 | 2 | 2 |
| 3 | 1 | 1 | 2 | 3 | 3 |
| 4 | 1 | 1 | 2 | 3 | 3 |
"""

F_X_I = """
| F | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 1 | 1 | 1 | 2 | 2 |
| 3 | 1 | 1 | 2 | 3 | 3 |
| 4 | 1 | 1 | 2 | 3 | 3 |
"""

S_X_I = """
| S | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 1 | 1 | 2 | 2 | 3 |
| 3 | 1 | 2 | 2 | 3 | 3 |
| 4 | 2 | 2 | 2 | 3 | 3 |
"""

F_S_I = {
    1: """
| S | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 0 | 0 | 1 | 1 | 2 | 2 |
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 1 | 2 | 2 | 2 | 3 |
| 3 | 2 | 2 | 2 | 3 | 3 |
| 4 | 2 | 2 | 3 | 3 | 3 |
""",
    2: """
| S | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 0 | 0 | 1 | 1 | 2 | 2 |
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 2 | 2 | 2 | 3 | 3 |
| 3 | 2 | 2 | 2 | 3 | 3 |
| 4 | 2 | 2 | 3 | 3 | 3 |
""",
    3: """
| S | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 0 | 1 | 1 | 1 | 2 | 2 |
| 1 | 1 | 1 | 1 | 2 | 2 |
| 2 | 2 | 2 | 2 | 3 | 3 |
| 3 | 2 | 2 | 3 | 3 | 3 |
| 4 | 2 | 2 | 3 | 3 | 3 |
""",
    4: """
| S | I=0 | 1 | 2 | 3 | 4 |
|---|---|---|---|---|---|
| 0 | 1 | 1 | 1 | 2 | 2 |
| 1 | 1 | 1 | 2 | 2 | 3 |
| 2 | 2 | 2 | 2 | 3 | 3 |
| 3 | 2 | 2 | 3 | 3 | 3 |
| 4 | 2 | 2 | 3 | 3 | 3 |
""",
}


def _rows(markdown: str) -> dict[int, list[int]]:
    """Markdown table -> {row value: [cell for column 0..4]} (header and rule skipped)."""
    rows = {}
    for line in markdown.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[int(cells[0])] = [int(c) for c in cells[1:]]
    return rows


def _single(markdown: str) -> dict[str, list[int]]:
    out = {}
    for line in markdown.strip().splitlines():
        attr, pairs = line.removeprefix("- ").split(" only: ")
        out[attr] = [int(pair.split("→")[1]) for pair in pairs.split(", ")]
    return out


def _cases():
    single = _single(SINGLE)
    cases = []
    for value, expected in enumerate(single["F"]):
        cases.append(pytest.param({"frequency": value}, expected, id=f"F={value}"))
    for value, expected in enumerate(single["S"]):
        cases.append(pytest.param({"severity": value}, expected, id=f"S={value}"))
    for value, expected in enumerate(single["I"]):
        cases.append(pytest.param({"interference": value}, expected, id=f"I={value}"))
    for table, (a, b) in (
        (F_X_S, ("frequency", "severity")),
        (F_X_I, ("frequency", "interference")),
        (S_X_I, ("severity", "interference")),
    ):
        for row, cells in _rows(table).items():
            for col, expected in enumerate(cells):
                cases.append(
                    pytest.param(
                        {a: row, b: col}, expected, id=f"{a[0].upper()}={row},{b[0].upper()}={col}"
                    )
                )
    for f, table in F_S_I.items():
        for s, cells in _rows(table).items():
            for i, expected in enumerate(cells):
                cases.append(
                    pytest.param(
                        {"frequency": f, "severity": s, "interference": i},
                        expected,
                        id=f"F={f},S={s},I={i}",
                    )
                )
    return cases


CASES = _cases()


def test_every_printed_cell_is_covered():
    # 3 x 5 single + 3 x 4 x 5 two-attribute + 4 x 5 x 5 three-attribute
    assert len(CASES) == 15 + 60 + 100


@pytest.mark.parametrize(("answers", "expected"), CASES)
def test_composite_grade_matches_the_printed_table_cell(answers, expected):
    assert composite_grade(**answers) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"frequency": 0, "severity": 4}, 0),
        ({"frequency": 0, "interference": 4}, 0),
        ({"frequency": 0, "severity": 4, "interference": 4}, 0),
        ({"severity": 0, "interference": 4}, 0),
        ({"frequency": 0}, 0),
        ({"severity": 0}, 0),
        ({"interference": 0}, 0),
    ],
)
def test_the_zero_rules_give_composite_0(answers, expected):
    assert composite_grade(**answers) == expected


def test_scenario_45_diarrhea_frequently_is_composite_2():
    assert composite_grade_for_item("diarrhea", frequency=3) == 2


def test_scenario_45_fatigue_severe_with_somewhat_interference_is_composite_2():
    assert composite_grade_for_item("fatigue", severity=3, interference=2) == 2


@pytest.mark.parametrize("value", [-1, 5, 2.5, True, "3"])
@pytest.mark.parametrize("attribute", ["frequency", "severity", "interference"])
def test_an_attribute_outside_0_to_4_is_refused(attribute, value):
    with pytest.raises(ValueError):
        composite_grade(**{attribute: value})


def test_no_attribute_at_all_is_refused():
    with pytest.raises(ValueError):
        composite_grade()


@pytest.mark.parametrize(
    ("item", "attributes"),
    [
        ("diarrhea", {"frequency"}),
        ("nausea", {"frequency", "severity"}),
        ("vomiting", {"frequency", "severity"}),
        ("nosebleeds", {"frequency", "severity"}),
        ("pounding_racing_heartbeat", {"frequency", "severity"}),
        ("decreased_appetite", {"severity", "interference"}),
        ("fatigue", {"severity", "interference"}),
        ("mouth_throat_sores", {"severity", "interference"}),
        ("shortness_of_breath", {"severity", "interference"}),
        ("hand_foot_syndrome", {"severity"}),
        ("hoarse_voice", {"severity"}),
        ("problems_tasting", {"severity"}),
        ("constipation", {"severity"}),
        ("dry_skin", {"severity"}),
        ("voice_changes", {"presence"}),
        ("rash", {"presence"}),
        ("hair_loss", {"amount"}),
        ("headache", {"frequency", "severity", "interference"}),
        ("abdominal_pain", {"frequency", "severity", "interference"}),
        ("arm_leg_swelling", {"frequency", "severity", "interference"}),
    ],
)
def test_each_listed_item_has_its_attribute_set(item, attributes):
    assert PRO_ITEMS[item] == attributes


def test_exactly_the_listed_items_are_registered():
    assert len(PRO_ITEMS) == 20


@pytest.mark.parametrize(
    ("item", "answers"),
    [
        ("no_such_item", {"severity": 1}),
        ("rash", {}),  # presence items are not graded
        ("hair_loss", {}),
        ("diarrhea", {"severity": 2}),  # diarrhea has frequency only
        ("fatigue", {"severity": 2}),  # interference missing
        ("nausea", {"frequency": 2}),  # severity missing
    ],
)
def test_an_item_answer_that_does_not_fit_the_item_is_refused(item, answers):
    with pytest.raises(ValueError):
        composite_grade_for_item(item, **answers)


@pytest.mark.parametrize(
    ("item", "answers"),
    [
        ("nausea", {"frequency": 0}),  # F = 0: skipped severity is irrelevant
        ("headache", {"frequency": 0}),
        ("fatigue", {"severity": 0}),  # no frequency and S = 0
    ],
)
def test_a_skipped_attribute_is_allowed_when_the_zero_rules_apply(item, answers):
    assert composite_grade_for_item(item, **answers) == 0


def test_the_module_tables_match_the_literal_copy():
    single = _single(SINGLE)
    assert list(pro.SINGLE_F) == single["F"]
    assert list(pro.SINGLE_S) == single["S"]
    assert list(pro.SINGLE_I) == single["I"]
    assert [list(r) for r in pro.FS_TABLE] == [_rows(F_X_S)[f] for f in (1, 2, 3, 4)]
    assert [list(r) for r in pro.FI_TABLE] == [_rows(F_X_I)[f] for f in (1, 2, 3, 4)]
    assert [list(r) for r in pro.SI_TABLE] == [_rows(S_X_I)[s] for s in (1, 2, 3, 4)]
    for f in (1, 2, 3, 4):
        assert [list(r) for r in pro.FSI_TABLES[f - 1]] == [_rows(F_S_I[f])[s] for s in range(5)]


def test_the_literal_copy_matches_reference_md():
    section = REFERENCE.read_text(encoding="utf-8").split("### 3.5")[1].split("## 4.")[0]
    assert SINGLE.strip() in section
    assert "F \u00d7 S:\n\n" + F_X_S.strip() in section
    assert "F \u00d7 I:\n\n" + F_X_I.strip() in section
    assert "S \u00d7 I:\n\n" + S_X_I.strip() in section
    for f, block in F_S_I.items():
        assert f"F = {f}:\n\n" + block.strip() in section
