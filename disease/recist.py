"""RECIST 1.1 at one time point, and whether progression meets ATA 2025 Rec 63's window.

Pure Python, no Django. Every rule comes from docs/sources/disease.md ("RECIST 1.1",
Eisenhauer et al. 2009, seen in review tables [S]) and the window from
docs/sources/reference.md 3.1 (Rec 63). Where those texts are silent the behaviour
below is a product choice and says "unconfirmed"; docs/disease-course.md lists each
one for the clinicians who sign this off.

Diameters are Decimals in millimetres, so the thresholds (30 %, 20 % and 5 mm,
10 and 15 mm) are compared exactly: 30.0 % is a partial response, 29.9 % is not.
Percentages are compared by cross-multiplication, never after a rounded division.

Source sentences (disease.md):

- "longest diameter ≥ 10 mm on CT or MRI (≥ 20 mm on chest X-ray); a lymph node is
  measurable with a short axis ≥ 15 mm; nodes of 10–15 mm short axis are
  non-target, < 10 mm normal."
- "at most 5 in total and at most 2 per organ"; "sum of diameters (longest diameter
  for lesions, short axis for nodes)".
- "Lesions in a previously irradiated field (or after other loco-regional therapy)
  are usually not measurable unless they have progressed since."
- "CR: every target lesion gone, and every target node < 10 mm short axis; PR: sum
  ≥ 30 % below the baseline sum; PD: sum ≥ 20 % above the smallest sum on study
  (nadir, which may be the baseline) and at least 5 mm larger in absolute terms; or
  any new lesion; SD: neither PR nor PD."
- "unequivocal progression of non-target disease, or a new lesion, is PD whatever
  the target sum does."

Unconfirmed (the sources are silent; each choice below awaits a clinician's confirmation):

- NE. disease.md names no rule for "not evaluable". A time point is NE when a target
  lesion was not measured (the sum cannot be computed) or the non-target disease was
  not evaluated, unless a new lesion or unequivocal non-target progression already
  makes it PD. A partial sum is never used.
- Overall combinations other than the two PD rules: overall CR needs target CR, no
  non-target disease left and no new lesion; target CR with non-target disease still
  present is judged by the sum (PR or SD), because disease remains.
- When the sum meets both PD (against the nadir) and PR or CR, PD is reported, and
  the reasons say the rules conflicted.
- Whether all lymph nodes count as one organ for "at most 2 per organ": the organ is
  taken as entered.
- Which modalities other than CT, MRI and chest X-ray may measure a lesion, and
  whether the node short-axis thresholds depend on modality: only those three are
  accepted, and the node thresholds apply to each.
- Disease with no measurable target lesion at baseline (non-target only): no
  time-point rules in the sources; a baseline needs at least one target lesion.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "Measurability",
    "MeasurabilityCheck",
    "Modality",
    "NonTargetStatus",
    "ProgressionWindow",
    "RecistInputError",
    "Response",
    "RuleFired",
    "Study",
    "TargetLesion",
    "TimePoint",
    "assess",
    "check_measurable",
    "percent_change",
    "progression_date",
    "progression_window",
    "sum_of_diameters",
    "time_point_response",
    "validate_baseline",
]

SOURCE = "docs/sources/disease.md, RECIST 1.1"
SOURCE_REC63 = "docs/sources/reference.md 3.1, ATA 2025 Rec 63"

# One source for every bound: disease.md, "RECIST 1.1".
MIN_LESION_CT_MRI_MM = Decimal(10)
MIN_LESION_CHEST_XRAY_MM = Decimal(20)
MIN_NODE_MEASURABLE_MM = Decimal(15)
# A node below this short axis is normal at baseline and counts as gone for CR.
NODE_NORMAL_BELOW_MM = Decimal(10)
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
PR_DECREASE_FROM_BASELINE_PCT = Decimal(30)
PD_INCREASE_FROM_NADIR_PCT = Decimal(20)
PD_INCREASE_ABSOLUTE_MM = Decimal(5)
# reference.md 3.1, Rec 63: "that has progressed over the prior 12–14 months".
WINDOW_SHORT_MONTHS = 12
WINDOW_LONG_MONTHS = 14


class RecistInputError(ValueError):
    """Input a clinician must correct. ``errors`` maps each bad field to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Modality(StrEnum):
    CT = "ct"
    MRI = "mri"
    CHEST_XRAY = "chest_xray"


class Measurability(StrEnum):
    MEASURABLE = "measurable"
    # Present but not measurable: recorded as non-target disease.
    NON_MEASURABLE = "non_measurable"
    # A lymph node < 10 mm short axis: not disease.
    NORMAL_NODE = "normal_node"


class NonTargetStatus(StrEnum):
    """disease.md: non-target "CR / non-CR-non-PD / unequivocal PD"."""

    ABSENT = "absent"  # none left (or none at baseline)
    PRESENT = "present"  # non-CR, non-PD
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"
    NOT_EVALUATED = "not_evaluated"


class Response(StrEnum):
    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"


class ProgressionWindow(StrEnum):
    """Where the start of progression lies against Rec 63's "prior 12–14 months".

    The guideline gives a range, not one cut-off, so both ends are reported: within
    12 months meets it on either reading; between 12 and 14 months meets it only at
    the range's far end, for the team to judge."""

    WITHIN_12_MONTHS = "within_12_months"
    BETWEEN_12_AND_14_MONTHS = "between_12_and_14_months"
    BEYOND_14_MONTHS = "beyond_14_months"
    NO_PROGRESSION = "no_progression"


def _millimetres(value: object, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise RecistInputError({field: f"a diameter in mm is a number, not {value!r}"})
    try:
        # Through str() so a float keeps the digits it was typed with (9.9, not 9.899...).
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise RecistInputError({field: f"a diameter in mm is a number, not {value!r}"}) from None
    if not number.is_finite():
        raise RecistInputError({field: f"a diameter in mm is a finite number, not {value}"})
    if number < 0:
        raise RecistInputError({field: f"a diameter cannot be negative ({number} mm)"})
    return number


def _organ_key(organ: str) -> str:
    return " ".join(organ.split()).casefold()


@dataclass(frozen=True, slots=True)
class TargetLesion:
    """One target lesion as measured at one study.

    ``diameter_mm`` is the longest diameter, or the short axis for a lymph node; 0 for
    a lesion that has gone; None when it could not be measured at this study. The
    ``label`` ties the lesion to the same lesion at the other studies."""

    label: str
    organ: str
    is_lymph_node: bool
    diameter_mm: Decimal | None
    modality: Modality
    in_treated_field: bool = False  # previously irradiated or loco-regionally treated
    progressed_since_treatment: bool = False

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.label, str) or not self.label.strip():
            errors["label"] = "each target lesion needs a label (e.g. T1)"
        if not isinstance(self.organ, str) or not self.organ.strip():
            errors["organ"] = "each target lesion needs its organ"
        if not isinstance(self.is_lymph_node, bool):
            errors["is_lymph_node"] = "say whether the lesion is a lymph node (yes or no)"
        try:
            object.__setattr__(self, "diameter_mm", _millimetres(self.diameter_mm, "diameter_mm"))
        except RecistInputError as error:
            errors.update(error.errors)
        try:
            object.__setattr__(self, "modality", Modality(self.modality))
        except ValueError:
            errors["modality"] = (
                f"{self.modality!r} is not CT, MRI or chest X-ray (other modalities are "
                "not in the sources: unconfirmed)"
            )
        if errors:
            raise RecistInputError(errors)


@dataclass(frozen=True, slots=True)
class Study:
    """One imaging time point: the target lesions, the non-target disease, new lesions."""

    date: dt.date
    targets: tuple[TargetLesion, ...]
    non_target: NonTargetStatus
    new_lesions: int

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            errors["date"] = f"the study date is a calendar date, not {self.date!r}"
        object.__setattr__(self, "targets", tuple(self.targets))
        if not all(isinstance(t, TargetLesion) for t in self.targets):
            errors["targets"] = "each target is a TargetLesion"
        else:
            repeated = sorted(k for k, n in Counter(t.label for t in self.targets).items() if n > 1)
            if repeated:
                errors["targets"] = f"target labels repeated in one study: {', '.join(repeated)}"
        try:
            object.__setattr__(self, "non_target", NonTargetStatus(self.non_target))
        except ValueError:
            errors["non_target"] = (
                f"{self.non_target!r} is not absent, present, unequivocal progression "
                "or not evaluated"
            )
        if (
            isinstance(self.new_lesions, bool)
            or not isinstance(self.new_lesions, int)
            or self.new_lesions < 0
        ):
            errors["new_lesions"] = (
                f"the number of new lesions is a whole number ≥ 0, not {self.new_lesions!r}"
            )
        if errors:
            raise RecistInputError(errors)


@dataclass(frozen=True, slots=True)
class MeasurabilityCheck:
    status: Measurability
    reason: str


@dataclass(frozen=True, slots=True)
class RuleFired:
    """A rule that decided (or qualified) a response: a stable code, the words, the source."""

    code: str
    text: str
    source: str = SOURCE


@dataclass(frozen=True, slots=True)
class TimePoint:
    """The response at one follow-up study, with the figures it was decided from."""

    date: dt.date
    sum_mm: Decimal | None  # None: a target lesion was not measured
    baseline_sum_mm: Decimal
    nadir_mm: Decimal  # smallest evaluable sum before this study (baseline included)
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None  # None also when the nadir is 0 mm
    change_from_nadir_mm: Decimal | None
    target_response: Response
    response: Response
    reasons: tuple[RuleFired, ...]


def check_measurable(lesion: TargetLesion) -> MeasurabilityCheck:
    """Whether a lesion qualifies as a target at baseline (disease.md, "Measurable lesion")."""
    size = lesion.diameter_mm
    if size is None:
        return MeasurabilityCheck(
            Measurability.NON_MEASURABLE, "not measured: a target needs a baseline measurement"
        )
    if lesion.is_lymph_node:
        if size < NODE_NORMAL_BELOW_MM:
            return MeasurabilityCheck(
                Measurability.NORMAL_NODE,
                f"node short axis {size} mm is < {NODE_NORMAL_BELOW_MM} mm: normal",
            )
        if size < MIN_NODE_MEASURABLE_MM:
            return MeasurabilityCheck(
                Measurability.NON_MEASURABLE,
                f"node short axis {size} mm is {NODE_NORMAL_BELOW_MM}–{MIN_NODE_MEASURABLE_MM}"
                f" mm: non-target (measurable from {MIN_NODE_MEASURABLE_MM} mm)",
            )
    else:
        minimum = (
            MIN_LESION_CHEST_XRAY_MM
            if lesion.modality is Modality.CHEST_XRAY
            else MIN_LESION_CT_MRI_MM
        )
        if size < minimum:
            where = "chest X-ray" if lesion.modality is Modality.CHEST_XRAY else "CT or MRI"
            return MeasurabilityCheck(
                Measurability.NON_MEASURABLE,
                f"longest diameter {size} mm is < {minimum} mm on {where}: non-target",
            )
    if lesion.in_treated_field and not lesion.progressed_since_treatment:
        return MeasurabilityCheck(
            Measurability.NON_MEASURABLE,
            "in a previously irradiated or treated field and not progressed since: "
            "usually not measurable",
        )
    return MeasurabilityCheck(Measurability.MEASURABLE, "measurable")


def validate_baseline(study: Study) -> None:
    """Raise RecistInputError naming every way ``study`` is not a valid RECIST baseline."""
    errors: dict[str, str] = {}
    if not study.targets:
        errors["targets"] = (
            "a baseline needs at least one measurable target lesion (response of "
            "non-target-only disease is not in the sources: unconfirmed)"
        )
    elif len(study.targets) > MAX_TARGETS:
        errors["targets"] = (
            f"{len(study.targets)} target lesions chosen; RECIST 1.1 allows at most "
            f"{MAX_TARGETS} in total: record the others as non-target disease"
        )
    per_organ = Counter(_organ_key(t.organ) for t in study.targets)
    crowded = sorted(organ for organ, n in per_organ.items() if n > MAX_TARGETS_PER_ORGAN)
    if crowded:
        errors["targets.organ"] = (
            f"more than {MAX_TARGETS_PER_ORGAN} target lesions in one organ "
            f"({', '.join(crowded)}); RECIST 1.1 allows at most {MAX_TARGETS_PER_ORGAN} "
            "per organ"
        )
    for lesion in study.targets:
        check = check_measurable(lesion)
        if check.status is not Measurability.MEASURABLE:
            errors[f"targets.{lesion.label}"] = f"not a measurable target: {check.reason}"
    if study.non_target not in (NonTargetStatus.ABSENT, NonTargetStatus.PRESENT):
        errors["non_target"] = (
            "at baseline, non-target disease is either present or absent "
            f"(not {study.non_target.value.replace('_', ' ')})"
        )
    if study.new_lesions:
        errors["new_lesions"] = "a baseline has no new lesions: every lesion is new there"
    if errors:
        raise RecistInputError(errors)


def sum_of_diameters(study: Study) -> Decimal | None:
    """Longest diameters plus node short axes; None when a target was not measured."""
    sizes = [t.diameter_mm for t in study.targets]
    if any(size is None for size in sizes):
        return None
    return sum((size for size in sizes if size is not None), Decimal(0))


def percent_change(reference_mm: Decimal, current_mm: Decimal) -> Decimal | None:
    """Signed % change from ``reference_mm`` (negative: smaller); None from 0 mm."""
    if reference_mm == 0:
        return None
    return (current_mm - reference_mm) * 100 / reference_mm


def _check_follow_up(baseline: Study, study: Study) -> None:
    errors: dict[str, str] = {}
    if study.date <= baseline.date:
        errors["date"] = (
            f"a follow-up ({study.date.isoformat()}) must come after the baseline "
            f"({baseline.date.isoformat()})"
        )
    at_baseline = {t.label: t for t in baseline.targets}
    here = {t.label: t for t in study.targets}
    missing = sorted(set(at_baseline) - set(here))
    if missing:
        errors["targets"] = (
            f"baseline target(s) {', '.join(missing)} not listed at {study.date.isoformat()}: "
            "list each one, as not measured if it could not be"
        )
    extra = sorted(set(here) - set(at_baseline))
    if extra:
        errors["targets.new"] = (
            f"target(s) {', '.join(extra)} were not chosen at baseline: new disease is "
            "recorded as a new lesion"
        )
    for label in sorted(set(here) & set(at_baseline)):
        before, now = at_baseline[label], here[label]
        if before.is_lymph_node != now.is_lymph_node or _organ_key(before.organ) != _organ_key(
            now.organ
        ):
            errors[f"targets.{label}"] = (
                f"{label} was a {'node' if before.is_lymph_node else 'lesion'} in "
                f"{before.organ} at baseline: the same target keeps its organ and kind"
            )
    if baseline.non_target is NonTargetStatus.ABSENT and study.non_target in (
        NonTargetStatus.PRESENT,
        NonTargetStatus.UNEQUIVOCAL_PROGRESSION,
    ):
        errors["non_target"] = (
            "there was no non-target disease at baseline: disease found since is "
            "recorded as a new lesion"
        )
    if errors:
        raise RecistInputError(errors)


def _target_is_complete_response(study: Study) -> bool:
    for lesion in study.targets:
        size = lesion.diameter_mm
        assert size is not None  # called only with every target measured
        if lesion.is_lymph_node and size >= NODE_NORMAL_BELOW_MM:
            return False
        if not lesion.is_lymph_node and size != 0:
            return False
    return True


def time_point_response(
    baseline: Study, current: Study, *, prior: Sequence[Study] = ()
) -> TimePoint:
    """The response at ``current``, against ``baseline`` and the studies in between.

    The nadir is the smallest sum of the baseline and the ``prior`` studies whose
    targets were all measured; ``current`` is not part of it."""
    validate_baseline(baseline)
    _check_follow_up(baseline, current)
    for earlier in prior:
        _check_follow_up(baseline, earlier)
        if earlier.date >= current.date:
            raise RecistInputError(
                {
                    "date": f"an earlier study ({earlier.date.isoformat()}) is dated on or after "
                    f"this one ({current.date.isoformat()})"
                }
            )
    baseline_sum = sum_of_diameters(baseline)
    assert baseline_sum is not None  # validate_baseline: every target measured
    evaluable = [s for s in (sum_of_diameters(p) for p in prior) if s is not None]
    nadir = min([baseline_sum, *evaluable])
    # Diameters listed in baseline order, so "T1, T2" reads the same at every study.
    order = {t.label: i for i, t in enumerate(baseline.targets)}
    current = Study(
        current.date,
        tuple(sorted(current.targets, key=lambda t: order[t.label])),
        current.non_target,
        current.new_lesions,
    )
    current_sum = sum_of_diameters(current)

    reasons: list[RuleFired] = []
    target_pr = False
    progression = False
    if current.new_lesions:
        progression = True
        reasons.append(
            RuleFired(
                "pd_new_lesion",
                f"{current.new_lesions} new lesion(s): PD whatever the target sum does",
            )
        )
    if current.non_target is NonTargetStatus.UNEQUIVOCAL_PROGRESSION:
        progression = True
        reasons.append(
            RuleFired(
                "pd_non_target",
                "unequivocal progression of non-target disease: PD whatever the target sum does",
            )
        )

    if current_sum is None:
        unmeasured = ", ".join(t.label for t in current.targets if t.diameter_mm is None)
        target = Response.NE
        reasons.append(
            RuleFired(
                "ne_target_not_measured",
                f"target(s) {unmeasured} not measured: the sum of diameters cannot be computed "
                "(no NE rule in disease.md: unconfirmed)",
            )
        )
        from_baseline = from_nadir = from_nadir_mm = None
    else:
        from_baseline = percent_change(baseline_sum, current_sum)
        from_nadir = percent_change(nadir, current_sum)
        from_nadir_mm = current_sum - nadir
        target_pd = (
            from_nadir_mm * 100 >= PD_INCREASE_FROM_NADIR_PCT * nadir
            and from_nadir_mm >= PD_INCREASE_ABSOLUTE_MM
        )
        target_pr = (
            baseline_sum - current_sum
        ) * 100 >= PR_DECREASE_FROM_BASELINE_PCT * baseline_sum
        target_cr = _target_is_complete_response(current)
        if target_pd:
            target = Response.PD
            reasons.append(
                RuleFired(
                    "pd_sum",
                    f"sum {current_sum} mm is ≥ {PD_INCREASE_FROM_NADIR_PCT} % above the nadir "
                    f"({nadir} mm) and {from_nadir_mm} mm larger (≥ "
                    f"{PD_INCREASE_ABSOLUTE_MM} mm)",
                )
            )
            if target_cr or target_pr:
                reasons.append(
                    RuleFired(
                        "pd_over_response",
                        f"the sum also meets {'CR' if target_cr else 'PR'}; progression "
                        "against the nadir is reported (which wins is not in disease.md: "
                        "unconfirmed)",
                    )
                )
        elif target_cr:
            target = Response.CR
            reasons.append(
                RuleFired(
                    "cr_target",
                    f"every target lesion gone and every target node < {NODE_NORMAL_BELOW_MM} mm"
                    " short axis",
                )
            )
        elif target_pr:
            target = Response.PR
            reasons.append(
                RuleFired(
                    "pr_sum",
                    f"sum {current_sum} mm is ≥ {PR_DECREASE_FROM_BASELINE_PCT} % below the "
                    f"baseline sum ({baseline_sum} mm)",
                )
            )
        else:
            target = Response.SD
            reasons.append(RuleFired("sd_sum", "the sum meets neither PR nor PD"))

    if progression or target is Response.PD:
        response = Response.PD
    elif target is Response.NE:
        response = Response.NE
    elif current.non_target is NonTargetStatus.NOT_EVALUATED:
        response = Response.NE
        reasons.append(
            RuleFired(
                "ne_non_target_not_evaluated",
                "non-target disease not evaluated (no NE rule in disease.md: unconfirmed)",
            )
        )
    elif target is Response.CR and current.non_target is NonTargetStatus.PRESENT:
        response = Response.PR if target_pr else Response.SD
        reasons.append(
            RuleFired(
                "cr_target_non_target_present",
                "target lesions meet CR but non-target disease remains, so the time point "
                f"is judged by the sum: {response.value} (no combination table in "
                "disease.md: unconfirmed)",
            )
        )
    else:
        response = target
    return TimePoint(
        date=current.date,
        sum_mm=current_sum,
        baseline_sum_mm=baseline_sum,
        nadir_mm=nadir,
        change_from_baseline_pct=from_baseline,
        change_from_nadir_pct=from_nadir,
        change_from_nadir_mm=from_nadir_mm,
        target_response=target,
        response=response,
        reasons=tuple(reasons),
    )


def assess(baseline: Study, follow_ups: Iterable[Study]) -> tuple[TimePoint, ...]:
    """The response at every follow-up, in date order, each against its own nadir."""
    studies = sorted(follow_ups, key=lambda s: s.date)
    dates = Counter(s.date for s in studies)
    repeated = sorted(d.isoformat() for d, n in dates.items() if n > 1)
    if repeated:
        raise RecistInputError(
            {
                "date": f"two follow-up studies on one date ({', '.join(repeated)}): "
                "combine them into one time point"
            }
        )
    return tuple(
        time_point_response(baseline, study, prior=studies[:i]) for i, study in enumerate(studies)
    )


def progression_date(time_points: Iterable[TimePoint]) -> dt.date | None:
    """The date of the first study assessed PD: when progression was first documented."""
    dates = [tp.date for tp in time_points if tp.response is Response.PD]
    return min(dates) if dates else None


def _months_before(day: dt.date, months: int) -> dt.date:
    # Calendar months; a day the earlier month lacks (31st, 29 February) becomes its last.
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def progression_window(began: dt.date | None, on: dt.date) -> ProgressionWindow:
    """Whether progression documented on ``began`` lies in the 12–14 months before ``on``.

    Rec 63 (reference.md 3.1): asymptomatic disease "that has progressed over the
    prior 12–14 months". Months are calendar months, and the edge days count as
    within: progression exactly 12 months before ``on`` is within 12 months
    (the sources do not say whether the edge day counts: unconfirmed)."""
    if began is None:
        return ProgressionWindow.NO_PROGRESSION
    if began > on:
        raise RecistInputError(
            {"date": f"progression on {began.isoformat()} is after {on.isoformat()}"}
        )
    if began >= _months_before(on, WINDOW_SHORT_MONTHS):
        return ProgressionWindow.WITHIN_12_MONTHS
    if began >= _months_before(on, WINDOW_LONG_MONTHS):
        return ProgressionWindow.BETWEEN_12_AND_14_MONTHS
    return ProgressionWindow.BEYOND_14_MONTHS
