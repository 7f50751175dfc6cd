"""The CTCAE v5.0 dictionary: all 837 terms, as plain data.

Loaded once from ``toxicity/ctcae/data/ctcae_v5.0.csv`` (NCI CTCAE v5.0, public
domain; provenance and how it was checked in ``toxicity/ctcae/data/README.md``).
Each ``Term`` is keyed by its lower-snake-case CTCAE name
(``"Electrocardiogram QT corrected interval prolonged"`` ->
``electrocardiogram_qt_corrected_interval_prolonged``) and carries the grade
descriptors exactly as the file gives them; a grade whose cell holds "-" does not
exist for the term and is absent from ``descriptors``.

The groups at the end (hemorrhage, arterial events, GI perforation, fistula,
wound healing, laboratory terms) say which CTCAE terms a drug label's wording
covers; each is derived from the dictionary by a stated rule with its source, so a
label row names CTCAE terms, never a word of its own.

The registry is keyed by version (``TERMS_BY_VERSION``) so that a CTCAE v6.0
dictionary can later sit beside v5.0.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "ARTERIAL_THROMBOEMBOLIC_TERMS",
    "CARDIAC_ISCHEMIA_TERMS",
    "COMPUTABLE_TERMS",
    "CTCAE_VERSION",
    "DICTIONARY_FILE",
    "FISTULA_TERMS",
    "GENERIC_GRADE_DEFINITIONS",
    "GI_FISTULA_TERMS",
    "GI_PERFORATION_TERMS",
    "HEMORRHAGE_TERMS",
    "LABORATORY_TERMS",
    "NON_GI_FISTULA_TERMS",
    "TERMS",
    "TERMS_BY_VERSION",
    "Term",
    "VENOUS_THROMBOEMBOLIC_TERMS",
    "WOUND_HEALING_TERMS",
    "get_term",
    "term_key",
]

CTCAE_VERSION = "5.0"
DICTIONARY_FILE = Path(__file__).resolve().parent / "data" / "ctcae_v5.0.csv"
_UNDEFINED = "-"  # data/README.md: a cell holding "-" means the grade is not defined

# Terms whose grade the app computes from measurements (toxicity.ctcae.grading).
COMPUTABLE_TERMS: frozenset[str] = frozenset(
    {
        "hypertension",
        "diarrhea",
        "weight_loss",
        "proteinuria",
        "alanine_aminotransferase_increased",
        "aspartate_aminotransferase_increased",
        "blood_bilirubin_increased",
        "creatinine_increased",
        "electrocardiogram_qt_corrected_interval_prolonged",
        "hypocalcemia",
        "ejection_fraction_decreased",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One CTCAE term: its name, MedDRA code, organ class and the text of each grade."""

    key: str
    name: str
    meddra_code: str
    system_organ_class: str
    descriptors: Mapping[int, str]
    definition: str = ""
    note: str = ""
    version: str = CTCAE_VERSION
    computable: bool = False

    def __hash__(self) -> int:
        return hash((self.version, self.key))

    @property
    def grades(self) -> tuple[int, ...]:
        """The grades that exist for this term, ascending (grade 0 is implicit)."""
        return tuple(sorted(self.descriptors))

    @property
    def max_grade(self) -> int:
        return max(self.descriptors)

    @property
    def grades_text(self) -> str:
        """The defined grades in words, for messages: ``"1, 2"`` or ``"3-5"``."""
        g = self.grades
        if len(g) > 2 and g == tuple(range(g[0], g[-1] + 1)):
            return f"{g[0]}-{g[-1]}"
        return ", ".join(str(x) for x in g)


def term_key(name: str) -> str:
    """The registry key of a CTCAE term name: lower snake case, punctuation dropped."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _load(path: Path) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            key = term_key(rec["term"])
            if key in terms:  # pragma: no cover - the file has unique terms
                raise ValueError(f"{path.name}: two terms share the key {key!r}")
            # Cells keep their text; Windows line ends inside a few cells are read as "\n".
            rec = {k: v.replace("\r\n", "\n") for k, v in rec.items()}
            descriptors = {
                g: rec[f"grade_{g}"]
                for g in range(1, 6)
                if rec[f"grade_{g}"] and rec[f"grade_{g}"] != _UNDEFINED
            }
            definition = rec["definition"] if rec["definition"] != _UNDEFINED else ""
            terms[key] = Term(
                key=key,
                name=rec["term"],
                meddra_code=rec["meddra_code"],
                system_organ_class=rec["soc"],
                descriptors=MappingProxyType(descriptors),
                definition=definition,
                note=rec["navigational_note"],
                computable=key in COMPUTABLE_TERMS,
            )
    return terms


TERMS: Mapping[str, Term] = MappingProxyType(_load(DICTIONARY_FILE))

TERMS_BY_VERSION: Mapping[str, Mapping[str, Term]] = MappingProxyType({CTCAE_VERSION: TERMS})

# reference.md 1.1, "Generic grades" [S: studylib copy of the CTCAE v5.0 PDF]
GENERIC_GRADE_DEFINITIONS: Mapping[int, str] = MappingProxyType(
    {
        1: (
            "Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; "
            "intervention not indicated."
        ),
        2: (
            "Moderate; minimal, local or noninvasive intervention indicated; limiting "
            "age-appropriate instrumental ADL."
        ),
        3: (
            "Severe or medically significant but not immediately life-threatening; "
            "hospitalization or prolongation of hospitalization indicated; disabling; "
            "limiting self care ADL."
        ),
        4: "Life-threatening consequences; urgent intervention indicated.",
        5: "Death related to AE.",
    }
)


def _where(pred: object) -> frozenset[str]:
    return frozenset(k for k, t in TERMS.items() if pred(t))  # type: ignore[operator]


_GI = "Gastrointestinal disorders"

# reference.md 1.3 "Bleeding": no "Hemorrhage NOS" in v5.0; a label's "hemorrhage"
# means whichever of the site-specific "... hemorrhage" terms applies, plus
# Epistaxis and Hematuria.
HEMORRHAGE_TERMS: frozenset[str] = _where(lambda t: t.name.endswith("hemorrhage")) | {
    "epistaxis",
    "hematuria",
}

# reference.md 1.3 "Arterial events are graded with their own terms: Myocardial
# infarction, Stroke, Transient ischemic attacks, Arterial thromboembolism".
# CTCAE v5.0 has no "cerebral infarction": its Stroke is the arterial
# obstruction of the brain (definition in the dictionary).
ARTERIAL_THROMBOEMBOLIC_TERMS: frozenset[str] = frozenset(
    {"arterial_thromboembolism", "myocardial_infarction", "stroke", "transient_ischemic_attacks"}
)

# reference.md 1.2 Thromboembolic event (venous; arterial thrombi use
# Arterial thromboembolism).
VENOUS_THROMBOEMBOLIC_TERMS: frozenset[str] = frozenset({"thromboembolic_event"})

# NEXAVAR "cardiac ischemia and/or infarction": Myocardial infarction, and Chest
# pain - cardiac, whose CTCAE definition is pain "due to insufficient myocardial
# oxygenation" (the dictionary's wording for ischemia).
CARDIAC_ISCHEMIA_TERMS: frozenset[str] = frozenset({"myocardial_infarction", "chest_pain_cardiac"})

# A label's "gastrointestinal perforation": every "... perforation" term of the
# Gastrointestinal disorders organ class (colonic, duodenal, esophageal, gastric,
# ileal, jejunal, rectal, small intestinal).
GI_PERFORATION_TERMS: frozenset[str] = _where(
    lambda t: t.system_organ_class == _GI and t.name.endswith("perforation")
)

# Every "... fistula" term; the GI ones are those of the Gastrointestinal
# disorders organ class (the EU SmPC separates "GI perforation or fistula" from
# "non-GI fistula": verification.md 1.2, 4.3).
FISTULA_TERMS: frozenset[str] = _where(lambda t: t.name.endswith("fistula"))
GI_FISTULA_TERMS: frozenset[str] = _where(
    lambda t: t.system_organ_class == _GI and t.name.endswith("fistula")
)
NON_GI_FISTULA_TERMS: frozenset[str] = FISTULA_TERMS - GI_FISTULA_TERMS

# The labels' "impaired wound healing" (reference.md 2.1 warnings; surgery rows).
WOUND_HEALING_TERMS: frozenset[str] = frozenset({"wound_complication", "wound_dehiscence"})

# "Laboratory abnormality" (LENVIMA other-AR row, "Grade 4 laboratory
# abnormalities"): a term of the Investigations, Metabolism and nutrition or
# Blood and lymphatic system organ classes whose grade descriptors state a limit
# against the ULN or LLN of an assay. Tests that are not laboratory assays (QTc,
# ejection fraction, weight) carry no such limit; the lung-function test
# "Carbon monoxide diffusing capacity decreased" does and is left out by name.
_LAB_CLASSES = frozenset(
    {"Investigations", "Metabolism and nutrition disorders", "Blood and lymphatic system disorders"}
)
LABORATORY_TERMS: frozenset[str] = _where(
    lambda t: (
        t.system_organ_class in _LAB_CLASSES
        and t.key != "carbon_monoxide_diffusing_capacity_decreased"
        and any("ULN" in d or "LLN" in d for d in t.descriptors.values())
    )
)


def get_term(key: str, version: str = CTCAE_VERSION) -> Term:
    """The CTCAE term ``key`` (lower snake case) of CTCAE ``version``.

    Raises ``KeyError`` with a message naming the problem: an unknown version or
    an unknown term.
    """
    try:
        terms = TERMS_BY_VERSION[version]
    except KeyError:
        known = ", ".join(sorted(TERMS_BY_VERSION))
        raise KeyError(f"CTCAE version {version!r} is not loaded (known: {known})") from None
    try:
        return terms[key]
    except KeyError:
        raise KeyError(f"unknown CTCAE v{version} term {key!r}") from None
