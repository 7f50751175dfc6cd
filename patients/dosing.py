"""Dose ladders and the dose state derived from a course's ledger.

Plain values, no Django: the ledger rows are read by the caller and handed in.
The ladders are the labels' dose-reduction levels for differentiated thyroid
cancer (docs/sources/reference.md 2.1-2.3, docs/sources/verification.md 1.3, 3.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# The drugs the tracker knows, by generic name, with their brand for the UI; the
# rule sets a course may follow (policy.md 1). The Django choices, the rule
# engine and the contract validator are all built from these.
DRUG_NAMES: dict[str, str] = {
    "lenvatinib": "Lenvatinib (Lenvima)",
    "sorafenib": "Sorafenib (Nexavar)",
    "cabozantinib": "Cabozantinib (Cabometyx)",
}
DRUGS: tuple[str, ...] = tuple(DRUG_NAMES)
# The generic names in Simplified Chinese, as the clinical literature writes them; the
# first is shown, and every one is found by the filters (drug_from_text). Lenvatinib
# is written two ways. No source in docs/sources gives these renderings, nor a brand
# name marketed in China (so none is shown): they wait for a bilingual clinician's
# review (docs/translation.md) and the review page lists them.
DRUG_NAMES_ZH_HANS: dict[str, tuple[str, ...]] = {
    "lenvatinib": ("乐伐替尼", "仑伐替尼"),
    "sorafenib": ("索拉非尼",),
    "cabozantinib": ("卡博替尼",),
}
DRUG_NAMES_ZH_HANS_SOURCE = "unconfirmed"
RULE_SET_NAMES: dict[str, str] = {
    "us_pi": "US prescribing information",
    "eu_smpc": "EU summary of product characteristics",
}


def drug_label(drug: str, language: str) -> str:
    """The drug's name for a reader of ``language`` ("en-gb", "zh-hans"): the Chinese
    generic name with the other rendering beside it, or the English name and brand."""
    names = DRUG_NAMES_ZH_HANS.get(drug) if language.lower() == "zh-hans" else None
    if not names:
        return DRUG_NAMES.get(drug, drug)
    shown, *others = names
    return f"{shown}（{'、'.join(others)}）" if others else shown


def generic_name(drug: str, language: str) -> str:
    """The generic name alone, where a chart has room for no more: "Lenvatinib", "乐伐替尼"."""
    names = DRUG_NAMES_ZH_HANS.get(drug) if language.lower() == "zh-hans" else None
    return names[0] if names else drug.capitalize()


def drug_from_text(text: str) -> str | None:
    """The drug a filter or search box names, by its key, English generic or brand name
    or any Chinese rendering, whatever the case and spacing; None if it names none."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for drug, label in DRUG_NAMES.items():
        generic, _, brand = label.partition(" (")
        words = {drug, generic.casefold(), brand.rstrip(")").casefold()}
        words.update(DRUG_NAMES_ZH_HANS.get(drug, ()))
        if wanted in words:
            return drug
    return None


# mg per day, highest first: the one source of the dose levels (the rule sets
# read them from here).
DOSE_LADDERS: dict[str, tuple[int, ...]] = {
    # reference.md 2.1 "Dose levels (DTC)"; verification.md 1.3: CONFIRMED
    # (secondary, US) and CONFIRMED-EU: 24 -> 20 -> 14 -> 10 mg once daily.
    "lenvatinib": (24, 20, 14, 10),
    # reference.md 2.2 US Table 1 DTC column; verification.md 2.3: CONFIRMED.
    # 800 (400 BID) -> 600 (400 + 200) -> 400 (200 BID) -> 200 mg once daily.
    "sorafenib": (800, 600, 400, 200),
    # verification.md 3.2 (newer Exelixis DTC page), "Adult; pediatric >= 40 kg":
    # 60 -> 40 -> 20 mg once daily.
    "cabozantinib": (60, 40, 20),
}


def is_on_ladder(drug: str, dose_mg_per_day: float) -> bool:
    return dose_mg_per_day in DOSE_LADDERS.get(drug, ())


def levels_at_or_below(drug: str, dose_mg_per_day: float) -> tuple[int, ...]:
    """The ladder levels at or below a dose, highest first.

    The doses an oncologist may sign in place of a recommendation's, from the dose the
    rules count from (``DoseState.reference_dose_mg``): a higher dose is a
    re-escalation, recorded on the ledger on its own. The inbox offers these and the
    decision service accepts these, nothing else.
    """
    return tuple(level for level in DOSE_LADDERS.get(drug, ()) if level <= dose_mg_per_day)


class Kind:
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    REDUCE = "reduce"
    RE_ESCALATE = "re_escalate"
    DISCONTINUE = "discontinue"
    COMPLETE = "complete"


class Status:
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    DISCONTINUED = "discontinued"
    COMPLETED = "completed"


@dataclass(frozen=True)
class LedgerEntry:
    kind: str
    effective_at: datetime
    dose_after_mg: float


@dataclass(frozen=True)
class DoseState:
    """Where a course stands after the ledger's entries up to a moment."""

    status: str
    dose_mg_per_day: float  # taken now; 0 while held or after the course ended
    held_at_dose_mg: float | None  # the dose being taken when the current hold began
    holds_at_current_dose: int  # holds that began at the dose now taken (or held at)
    reductions: int
    last_change_at: datetime | None

    @property
    def on_hold(self) -> bool:
        return self.status == Status.ON_HOLD

    @property
    def ended(self) -> bool:
        return self.status in (Status.DISCONTINUED, Status.COMPLETED)

    @property
    def reference_dose_mg(self) -> float:
        """The dose the rules count from: the dose taken now, or when the hold began."""
        if self.on_hold and self.held_at_dose_mg is not None:
            return self.held_at_dose_mg
        return self.dose_mg_per_day


NOT_STARTED = DoseState(Status.NOT_STARTED, 0, None, 0, 0, None)


def derive_dose_state(entries: Iterable[LedgerEntry]) -> DoseState:
    """Replays the ledger in order. Entries must already be valid (the service checks)."""
    state = NOT_STARTED
    for entry in entries:
        state = apply_entry(state, entry)
    return state


def apply_entry(state: DoseState, entry: LedgerEntry) -> DoseState:
    kind = entry.kind
    when = entry.effective_at
    if kind == Kind.START:
        return DoseState(Status.ACTIVE, entry.dose_after_mg, None, 0, 0, when)
    if kind == Kind.HOLD:
        return DoseState(
            Status.ON_HOLD,
            0,
            state.dose_mg_per_day,
            state.holds_at_current_dose + 1,
            state.reductions,
            when,
        )
    if kind == Kind.RESUME:
        same_dose = entry.dose_after_mg == state.held_at_dose_mg
        reduced = entry.dose_after_mg < (state.held_at_dose_mg or 0)
        return DoseState(
            Status.ACTIVE,
            entry.dose_after_mg,
            None,
            state.holds_at_current_dose if same_dose else 0,
            state.reductions + (1 if reduced else 0),
            when,
        )
    if kind in (Kind.REDUCE, Kind.RE_ESCALATE):
        reductions = state.reductions + (1 if kind == Kind.REDUCE else 0)
        return DoseState(Status.ACTIVE, entry.dose_after_mg, None, 0, reductions, when)
    if kind == Kind.DISCONTINUE:
        return DoseState(Status.DISCONTINUED, 0, None, 0, state.reductions, when)
    if kind == Kind.COMPLETE:
        return DoseState(Status.COMPLETED, 0, None, 0, state.reductions, when)
    raise ValueError(f"unknown dose change kind {kind!r}")


def check_entry(state: DoseState, kind: str, dose_after_mg: float) -> dict[str, str]:
    """Why this change cannot follow the current state; empty when it can.

    Keys are the request fields a clinician would correct.
    """
    if kind == Kind.START:
        if state.status != Status.NOT_STARTED:
            return {"kind": "This course has already started."}
        if dose_after_mg <= 0:
            return {"dose_after_mg": "A course starts at a dose above 0 mg."}
        return {}
    if state.status == Status.NOT_STARTED:
        return {"kind": "This course has not started."}
    if state.ended:
        return {"kind": f"This course is {state.status.replace('_', ' ')}: no further changes."}
    if kind == Kind.HOLD:
        if state.on_hold:
            return {"kind": "The drug is already on hold."}
        if dose_after_mg != 0:
            return {"dose_after_mg": "A hold takes the dose to 0 mg."}
    elif kind == Kind.RESUME:
        if not state.on_hold:
            return {"kind": "Only a held drug can be resumed."}
        if dose_after_mg <= 0:
            return {"dose_after_mg": "Resume at a dose above 0 mg."}
        if dose_after_mg > (state.held_at_dose_mg or 0):
            return {
                "dose_after_mg": f"Resume at or below the dose before the hold "
                f"({state.held_at_dose_mg:g} mg); raising a dose is a re-escalation."
            }
    elif kind == Kind.REDUCE:
        if state.on_hold:
            return {"kind": "The drug is on hold: resume it at the lower dose instead."}
        if not 0 < dose_after_mg < state.dose_mg_per_day:
            return {
                "dose_after_mg": f"A reduction goes below the current "
                f"{state.dose_mg_per_day:g} mg and above 0 mg."
            }
    elif kind == Kind.RE_ESCALATE:
        if state.on_hold:
            return {"kind": "The drug is on hold: resume it first."}
        if dose_after_mg <= state.dose_mg_per_day:
            return {
                "dose_after_mg": f"A re-escalation goes above the current "
                f"{state.dose_mg_per_day:g} mg."
            }
    elif kind in (Kind.DISCONTINUE, Kind.COMPLETE):
        if dose_after_mg != 0:
            return {"dose_after_mg": "Ending a course takes the dose to 0 mg."}
    else:
        return {"kind": f"Unknown kind of dose change {kind!r}."}
    return {}
