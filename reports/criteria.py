"""When a patient's report needs a nurse's grading: the triage criteria, as plain values.

Pure Python (no Django), typed. Issue 14 names the four criteria and their defaults;
each is a per-site setting (reports.models.ReportPolicy), and a site without a row
uses DEFAULTS below, the one place they are written:

* a PRO-CTCAE composite grade at or above ``composite_grade`` (default 3, the top of
  the 0-3 composite scale, reference.md 3.5) - urgent;
* a home blood pressure whose CTCAE hypertension grade is at or above ``home_bp_grade``
  (default 3: CTCAE v5.0 Hypertension grade 3, SBP >= 160 or DBP >= 100) - urgent;
* a symptom's composite risen by ``worsening_points`` or more from the same symptom in
  the patient's previous report (default 2) - routine;
* any "anything else" text, when ``anything_else`` is on (default on) - routine.

A composite is not a CTCAE grade: meeting a criterion asks a nurse to grade the
symptom with CTCAE; it never changes a dose (policy.md point 8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "ANYTHING_ELSE",
    "COMPOSITE",
    "DEFAULTS",
    "HOME_BP",
    "WORSENING",
    "Reason",
    "Thresholds",
    "reasons",
    "summary",
]

COMPOSITE = "composite"
HOME_BP = "home_bp"
WORSENING = "worsening"
ANYTHING_ELSE = "anything_else"
URGENT_CRITERIA = frozenset({COMPOSITE, HOME_BP})


@dataclass(frozen=True, slots=True)
class Thresholds:
    composite_grade: int = 3  # PRO-CTCAE composite 0-3 (reference.md 3.5)
    home_bp_grade: int = 3  # CTCAE v5.0 Hypertension grade 3: SBP >=160 or DBP >=100
    worsening_points: int = 2  # composite points up from the previous report
    anything_else: bool = True  # a free text always reaches a nurse


DEFAULTS = Thresholds()


@dataclass(frozen=True, slots=True)
class Reason:
    criterion: str  # COMPOSITE, HOME_BP, WORSENING or ANYTHING_ELSE
    item: str = ""  # the PRO item's key (composite, worsening)
    title: str = ""  # its plain heading (Diarrhoea)
    grade: int | None = None  # the composite, or the home BP's CTCAE grade
    previous: int | None = None  # the previous report's composite (worsening)

    @property
    def urgent(self) -> bool:
        return self.criterion in URGENT_CRITERIA

    @property
    def text(self) -> str:
        """Readable, and free of patient identifiers (it goes into the alert)."""
        name = self.title.lower() or self.item.replace("_", " ")
        if self.criterion == COMPOSITE:
            return f"{name} composite {self.grade} (not CTCAE)"
        if self.criterion == WORSENING:
            return f"{name} composite up from {self.previous} to {self.grade}"
        if self.criterion == HOME_BP:
            return f"home BP grade {self.grade}"
        return "text in 'anything else'"

    def as_dict(self) -> dict[str, object]:
        return {
            "criterion": self.criterion,
            "item": self.item,
            "title": self.title,
            "grade": self.grade,
            "previous": self.previous,
            "text": self.text,
        }


def reasons(
    thresholds: Thresholds,
    *,
    composites: Mapping[str, int],
    previous: Mapping[str, int] | None = None,
    home_bp_grades: Sequence[int] = (),
    anything_else: str = "",
    titles: Mapping[str, str] | None = None,
) -> list[Reason]:
    """Every criterion the report meets, composites first; [] means no triage item.

    `composites` are this report's (item -> 0-3), `previous` the same patient's previous
    report's; an item missing from either is not compared. The home BP criterion counts
    the worst sitting once. Whitespace alone is not a text.
    """
    titles = titles or {}
    previous = previous or {}
    out: list[Reason] = []
    for item, grade in composites.items():
        if grade >= thresholds.composite_grade:
            out.append(Reason(COMPOSITE, item, titles.get(item, ""), grade))
    for item, grade in composites.items():
        before = previous.get(item)
        if before is not None and grade - before >= thresholds.worsening_points:
            out.append(Reason(WORSENING, item, titles.get(item, ""), grade, before))
    worst = max(home_bp_grades, default=None)
    if worst is not None and worst >= thresholds.home_bp_grade:
        out.append(Reason(HOME_BP, grade=worst))
    if thresholds.anything_else and anything_else.strip():
        out.append(Reason(ANYTHING_ELSE))
    return out


def summary(found: Sequence[Reason]) -> str:
    """The alert's one line: "Patient report: diarrhoea composite 3 (not CTCAE); ..."."""
    return "Patient report: " + "; ".join(reason.text for reason in found)
