"""PRO-CTCAE composite grades (patient-reported; NOT CTCAE grades).

Source: docs/sources/reference.md section 3.5, which copies the
``comp_tab`` tables of the CRAN package ProAE 1.0.4 (Basch E et al.,
"Composite grading algorithm for the NCI PRO-CTCAE", Clin Trials 2021).

A composite grade (0-3) raises an alert for a nurse to grade the symptom with
CTCAE; it never drives a dose change on its own (policy.md point 8). Keep these
values apart from CTCAE grades: this module does not import ``grading``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ATTRIBUTE_SCALES",
    "FREQUENCY",
    "FS_TABLE",
    "FSI_TABLES",
    "FI_TABLE",
    "INTERFERENCE",
    "PRESENCE",
    "AMOUNT",
    "PRO_ITEMS",
    "SEVERITY",
    "SI_TABLE",
    "SINGLE_F",
    "SINGLE_I",
    "SINGLE_S",
    "composite_grade",
    "composite_grade_for_item",
]

FREQUENCY = "frequency"
SEVERITY = "severity"
INTERFERENCE = "interference"
PRESENCE = "presence"  # yes/no items: not graded (reference.md 3.5)
AMOUNT = "amount"  # hair loss: no composite table in reference.md 3.5

# reference.md 3.5 "Response scales" [S: ProAE package recode map]
ATTRIBUTE_SCALES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        FREQUENCY: ("Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"),
        SEVERITY: ("None", "Mild", "Moderate", "Severe", "Very severe"),
        INTERFERENCE: ("Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"),
    }
)

_F = frozenset({FREQUENCY})
_S = frozenset({SEVERITY})
_FS = frozenset({FREQUENCY, SEVERITY})
_SI = frozenset({SEVERITY, INTERFERENCE})
_FSI = frozenset({FREQUENCY, SEVERITY, INTERFERENCE})

# reference.md 3.5 "Items relevant here and their attributes" [S: ProAE item map]
PRO_ITEMS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        # F only
        "diarrhea": _F,
        # F + S
        "nausea": _FS,
        "vomiting": _FS,
        "nosebleeds": _FS,
        "pounding_racing_heartbeat": _FS,
        # S + I
        "decreased_appetite": _SI,
        "fatigue": _SI,
        "mouth_throat_sores": _SI,
        "shortness_of_breath": _SI,
        # S only
        "hand_foot_syndrome": _S,
        "hoarse_voice": _S,
        "problems_tasting": _S,
        "constipation": _S,
        "dry_skin": _S,
        # Presence (yes/no): not graded
        "voice_changes": frozenset({PRESENCE}),
        "rash": frozenset({PRESENCE}),
        # Amount
        "hair_loss": frozenset({AMOUNT}),
        # F + S + I
        "headache": _FSI,
        "abdominal_pain": _FSI,
        "arm_leg_swelling": _FSI,
    }
)

# --- Composite tables, copied from reference.md 3.5 -------------------------

# Single attribute: index = response 0-4.
SINGLE_F: tuple[int, ...] = (0, 1, 1, 2, 3)  # F only: 0->0, 1->1, 2->1, 3->2, 4->3
SINGLE_S: tuple[int, ...] = (0, 1, 2, 3, 3)  # S only: 0->0, 1->1, 2->2, 3->3, 4->3
SINGLE_I: tuple[int, ...] = (0, 1, 1, 2, 2)  # I only: 0->0, 1->1, 2->1, 3->2, 4->2

# Two attributes: rows = first attribute 1-4 (index 0 is row 1), columns =
# second attribute 0-4. A first attribute of 0 gives composite 0 (zero rules).
FS_TABLE: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 2),  # F=1
    (1, 1, 2, 2, 2),  # F=2
    (1, 1, 2, 3, 3),  # F=3
    (1, 1, 2, 3, 3),  # F=4
)
FI_TABLE: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 2),  # F=1
    (1, 1, 1, 2, 2),  # F=2
    (1, 1, 2, 3, 3),  # F=3
    (1, 1, 2, 3, 3),  # F=4
)
SI_TABLE: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 2),  # S=1
    (1, 1, 2, 2, 3),  # S=2
    (1, 2, 2, 3, 3),  # S=3
    (2, 2, 2, 3, 3),  # S=4
)

# Three attributes: one table per frequency value 1-4 (index 0 is F=1);
# rows S = 0-4, columns I = 0-4.
FSI_TABLES: tuple[tuple[tuple[int, ...], ...], ...] = (
    (  # F=1
        (0, 1, 1, 2, 2),
        (1, 1, 1, 2, 2),
        (1, 2, 2, 2, 3),
        (2, 2, 2, 3, 3),
        (2, 2, 3, 3, 3),
    ),
    (  # F=2
        (0, 1, 1, 2, 2),
        (1, 1, 1, 2, 2),
        (2, 2, 2, 3, 3),
        (2, 2, 2, 3, 3),
        (2, 2, 3, 3, 3),
    ),
    (  # F=3
        (1, 1, 1, 2, 2),
        (1, 1, 1, 2, 2),
        (2, 2, 2, 3, 3),
        (2, 2, 3, 3, 3),
        (2, 2, 3, 3, 3),
    ),
    (  # F=4
        (1, 1, 1, 2, 2),
        (1, 1, 2, 2, 3),
        (2, 2, 2, 3, 3),
        (2, 2, 3, 3, 3),
        (2, 2, 3, 3, 3),
    ),
)


def _check(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValueError(f"PRO-CTCAE {name} must be an integer 0-4, got {value!r}")


def composite_grade(
    frequency: int | None = None,
    severity: int | None = None,
    interference: int | None = None,
) -> int:
    """PRO-CTCAE composite grade 0-3 from the attributes answered (reference.md 3.5).

    Pass exactly the attributes the item has. Zero rules:
    * with a frequency attribute, F = 0 gives 0 (a skipped S or I is then
      irrelevant, as ProAE imputes it as 0);
    * with no frequency attribute, S = 0 gives 0;
    * with interference only, I = 0 gives 0.
    Otherwise the single-, two- or three-attribute table applies.

    Not a CTCAE grade: alerts a nurse, never changes a dose (policy.md point 8).
    """
    _check(FREQUENCY, frequency)
    _check(SEVERITY, severity)
    _check(INTERFERENCE, interference)
    if frequency is not None:
        if frequency == 0:
            return 0
        if severity is not None:
            if interference is not None:
                return FSI_TABLES[frequency - 1][severity][interference]
            return FS_TABLE[frequency - 1][severity]
        if interference is not None:
            return FI_TABLE[frequency - 1][interference]
        return SINGLE_F[frequency]
    if severity is not None:
        if severity == 0:
            return 0
        if interference is not None:
            return SI_TABLE[severity - 1][interference]
        return SINGLE_S[severity]
    if interference is not None:
        return SINGLE_I[interference]
    raise ValueError("composite_grade needs at least one of frequency, severity, interference")


def composite_grade_for_item(
    item: str,
    frequency: int | None = None,
    severity: int | None = None,
    interference: int | None = None,
) -> int:
    """Composite grade for a named item of ``PRO_ITEMS``, checking its attribute set.

    Raises ``ValueError`` for an unknown item, an item that is not graded
    (presence or amount items), or an attribute the item does not have. A
    skipped attribute is allowed only when the zero rules make it irrelevant.
    """
    try:
        attrs = PRO_ITEMS[item]
    except KeyError:
        raise ValueError(f"unknown PRO-CTCAE item {item!r}") from None
    if not attrs <= {FREQUENCY, SEVERITY, INTERFERENCE}:
        raise ValueError(f"PRO-CTCAE item {item!r} ({', '.join(sorted(attrs))}) is not graded")
    given = {
        name
        for name, value in (
            (FREQUENCY, frequency),
            (SEVERITY, severity),
            (INTERFERENCE, interference),
        )
        if value is not None
    }
    extra = given - attrs
    if extra:
        raise ValueError(f"PRO-CTCAE item {item!r} has no {', '.join(sorted(extra))} attribute")
    missing = attrs - given
    if missing:
        _check(FREQUENCY, frequency)
        _check(SEVERITY, severity)
        # Zero rules: F = 0 (or, without F, S = 0) makes the rest irrelevant.
        if frequency == 0 or (FREQUENCY not in attrs and severity == 0):
            return 0
        raise ValueError(
            f"PRO-CTCAE item {item!r} needs {', '.join(sorted(missing))} "
            f"(attributes: {', '.join(sorted(attrs))})"
        )
    return composite_grade(frequency, severity, interference)
