"""Grade episodes in log form, and the SDTM action taken read from the dose ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interop.episodes import (
    ACN_CODELIST,
    ACN_FROM_LEDGER,
    GradedVisit,
    LedgerChange,
    action_taken,
    episodes,
)
from patients.models import DoseChangeKind

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)
ALT = "alanine_aminotransferase_increased"


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def graded(*grades) -> list[GradedVisit]:
    return [GradedVisit(day(7 * i), ALT, g) for i, g in enumerate(grades)]


# Every ledger kind, changed for the term during the record -> AEACN.
LEDGER_TO_AEACN = [
    (DoseChangeKind.START, "DOSE NOT CHANGED"),
    (DoseChangeKind.HOLD, "DRUG INTERRUPTED"),
    (DoseChangeKind.RESUME, "DOSE NOT CHANGED"),
    (DoseChangeKind.REDUCE, "DOSE REDUCED"),
    (DoseChangeKind.RE_ESCALATE, "DOSE INCREASED"),
    (DoseChangeKind.DISCONTINUE, "DRUG WITHDRAWN"),
    (DoseChangeKind.COMPLETE, "DOSE NOT CHANGED"),
]


def test_the_table_covers_every_ledger_kind():
    assert {kind for kind, _ in LEDGER_TO_AEACN} == set(DoseChangeKind.values)
    assert set(ACN_FROM_LEDGER) == set(DoseChangeKind.values)


@pytest.mark.parametrize(("kind", "expected"), LEDGER_TO_AEACN)
def test_a_change_for_the_term_during_the_record_sets_aeacn(kind, expected):
    change = LedgerChange(7, kind, day(1), (ALT,))
    action, ids = action_taken(ALT, day(0), day(7), [change])
    assert action == expected
    assert action in ACN_CODELIST
    assert ids == ([] if expected == "DOSE NOT CHANGED" else [7])


def test_a_change_made_for_another_term_does_not_count():
    change = LedgerChange(1, "hold", day(1), ("diarrhea",))
    assert action_taken(ALT, day(0), day(7), [change]) == ("DOSE NOT CHANGED", [])


def test_a_change_at_the_records_end_belongs_to_the_next_record():
    change = LedgerChange(1, "reduce", day(7), (ALT,))
    assert action_taken(ALT, day(0), day(7), [change])[0] == "DOSE NOT CHANGED"
    assert action_taken(ALT, day(7), None, [change])[0] == "DOSE REDUCED"


def test_the_most_restrictive_change_counts():
    changes = [LedgerChange(1, "reduce", day(1), (ALT,)), LedgerChange(2, "hold", day(2), (ALT,))]
    assert action_taken(ALT, day(0), None, changes) == ("DRUG INTERRUPTED", [2])


def test_after_the_course_ended_the_action_does_not_apply():
    ended = LedgerChange(1, "discontinue", day(0), ("hypertension",))
    assert action_taken(ALT, day(3), None, [ended]) == ("NOT APPLICABLE", [])


def test_each_grade_change_is_a_record_of_one_episode_closed_by_grade_0():
    (episode,) = episodes(graded(0, 1, 3, 3, 2, 0, 0), [])
    assert [(r.grade, r.start, r.end) for r in episode.records] == [
        (1, day(7), day(14)),
        (3, day(14), day(28)),
        (2, day(28), day(35)),
    ]
    assert episode.worst_grade == 3


def test_a_new_grade_after_grade_0_opens_a_second_episode_left_open():
    first, second = episodes(graded(2, 0, 1), [])
    assert (first.number, second.number) == (1, 2)
    assert second.end is None
