"""Grade episodes and the action taken with the drug, from plain values. PURE.

An episode of a term opens at the first visit grading it 1 or more and closes
at the first later visit grading it 0. Within an episode, each change of grade
starts a new record (SDTM "log" form: one AE record per grade, grouped by
AEGRPID = the episode). A record lasts from its visit to the visit that changed
the grade (or closed the episode); the last one of an open episode has no end.

The action taken with the drug (SDTM AEACN) for a record is read from the
signed dose ledger: the ledger changes made *for this term* (their
`reason_terms` name it) that took effect while the record lasted. The most
restrictive one counts (withdrawn > interrupted > reduced). None: DOSE NOT
CHANGED, unless the course had already ended before the record began
(NOT APPLICABLE).

The controlled terms are CDISC SDTM Controlled Terminology, codelist ACN
"Action Taken with Study Treatment" (NCI code C66767). The codelist is not in
docs/sources/; the terms below are UNCONFIRMED against a local copy of the
CDISC CT package. `ACN_FROM_LEDGER` is checked against it when this module loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# CDISC CT codelist C66767 (ACN), submission values.
ACN_CODELIST = frozenset(
    {
        "DOSE INCREASED",
        "DOSE NOT CHANGED",
        "DOSE RATE REDUCED",
        "DOSE REDUCED",
        "DRUG INTERRUPTED",
        "DRUG WITHDRAWN",
        "NOT APPLICABLE",
        "UNKNOWN",
    }
)
DOSE_NOT_CHANGED = "DOSE NOT CHANGED"
NOT_APPLICABLE = "NOT APPLICABLE"

# Ledger kind (patients.dosing.Kind) -> AEACN when the change was made for the term.
# start, resume and complete are never an action taken because of an adverse event:
# a resume ends an interruption, it does not answer the event.
ACN_FROM_LEDGER: dict[str, str | None] = {
    "start": None,
    "hold": "DRUG INTERRUPTED",
    "resume": None,
    "reduce": "DOSE REDUCED",
    "re_escalate": "DOSE INCREASED",
    "discontinue": "DRUG WITHDRAWN",
    "complete": None,
}
# Most restrictive first, when several changes fall in one record.
ACN_ORDER = ("DRUG WITHDRAWN", "DRUG INTERRUPTED", "DOSE REDUCED", "DOSE INCREASED")
ENDED_KINDS = ("discontinue", "complete")

_unknown = {v for v in ACN_FROM_LEDGER.values() if v} - ACN_CODELIST
if _unknown:  # pragma: no cover - guards the table above
    raise ValueError(f"AEACN terms outside CDISC codelist C66767: {sorted(_unknown)}")


@dataclass(frozen=True)
class GradedVisit:
    at: datetime
    term: str
    grade: int


@dataclass(frozen=True)
class LedgerChange:
    id: int
    kind: str
    effective_at: datetime
    reason_terms: tuple[str, ...]


@dataclass
class GradeRecord:
    grade: int
    start: datetime
    end: datetime | None = None
    action: str = DOSE_NOT_CHANGED
    ledger_change_ids: list[int] = field(default_factory=list)


@dataclass
class Episode:
    term: str
    number: int  # 1, 2, ... per term within the course
    records: list[GradeRecord] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.records[0].start

    @property
    def end(self) -> datetime | None:
        return self.records[-1].end

    @property
    def worst_grade(self) -> int:
        return max(r.grade for r in self.records)


def action_taken(
    term: str, start: datetime, end: datetime | None, ledger: Iterable[LedgerChange]
) -> tuple[str, list[int]]:
    """AEACN for one record, and the ledger changes it comes from."""
    ledger = list(ledger)
    if any(c.kind in ENDED_KINDS and c.effective_at <= start for c in ledger):
        return NOT_APPLICABLE, []
    during = [
        c
        for c in ledger
        if term in c.reason_terms
        and start <= c.effective_at
        and (end is None or c.effective_at < end)
        and ACN_FROM_LEDGER.get(c.kind)
    ]
    if not during:
        return DOSE_NOT_CHANGED, []
    actions = {ACN_FROM_LEDGER[c.kind] for c in during}
    chosen = next(a for a in ACN_ORDER if a in actions)
    return chosen, [c.id for c in during if ACN_FROM_LEDGER[c.kind] == chosen]


def episodes(graded: Iterable[GradedVisit], ledger: Iterable[LedgerChange]) -> list[Episode]:
    """Every term's episodes in one course, with each record's AEACN."""
    ledger = sorted(ledger, key=lambda c: (c.effective_at, c.id))
    by_term: dict[str, list[GradedVisit]] = {}
    for visit in sorted(graded, key=lambda g: g.at):
        by_term.setdefault(visit.term, []).append(visit)
    found: list[Episode] = []
    for term, visits in sorted(by_term.items()):
        current: Episode | None = None
        count = 0
        for visit in visits:
            if current is None:
                if visit.grade >= 1:
                    count += 1
                    current = Episode(term, count, [GradeRecord(visit.grade, visit.at)])
                    found.append(current)
                continue
            last = current.records[-1]
            if visit.grade == last.grade:
                continue
            last.end = visit.at
            if visit.grade == 0:
                current = None
            else:
                current.records.append(GradeRecord(visit.grade, visit.at))
        for episode in found:
            if episode.term != term:
                continue
            for record in episode.records:
                record.action, record.ledger_change_ids = action_taken(
                    term, record.start, record.end, ledger
                )
    return found
