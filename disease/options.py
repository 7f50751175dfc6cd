"""The patient's molecular findings against ATA 2025 Recs 61–70: which lines apply.

Pure Python, no Django. Every recommendation and drug below is worded as
docs/sources/reference.md 3.1 and 3.2 word it, with the confidence tag written
there ([S] seen in a source, [U] not confirmed); tests/disease/test_options.py
checks each text and tag against that file. Decision support: a line says what the
guideline recommends for a finding; it never chooses a therapy.

Readings where the sources are silent (unconfirmed):

- A marker with no finding stored counts as not tested.
- "No biomarker-linked first-line option" (Rec 62) is said only when RET, NTRK and
  ALK fusion were all tested and none is positive; while one of them is untested,
  Rec 61 (test first) is said instead.
- BRAF V600E does not count as a first-line option for Rec 62 (Rec 70 makes it
  first line only for poor candidates for lenvatinib), so Rec 62 and Rec 70 are
  both said for a BRAF V600E positive patient with no fusion.
- RAS and TERT promoter findings have no line: reference.md 3.2 names no drug for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACTIONABLE",
    "DRUGS",
    "RECS",
    "Drug",
    "Option",
    "Rec",
    "options_for",
]

SOURCE_31 = "docs/sources/reference.md 3.1"
SOURCE_32 = "docs/sources/reference.md 3.2"
# reference.md 3.1 tags the ATA 2025 recommendation list as a whole with this.
ATA_TAG = "[S: ATA quick-reference pages 22–23 via guidelinecentral]"


class Marker(StrEnum):
    """The same keys as patients.models.Marker."""

    BRAF_V600E = "braf_v600e"
    RET_FUSION = "ret_fusion"
    NTRK_FUSION = "ntrk_fusion"
    ALK_FUSION = "alk_fusion"
    RAS = "ras"
    TERT_PROMOTER = "tert_promoter"


POSITIVE = "positive"
NEGATIVE = "negative"
FUSIONS = (Marker.RET_FUSION, Marker.NTRK_FUSION, Marker.ALK_FUSION)
# reference.md 3.2, "Actionable alterations and targeted drugs": the alterations with a row.
ACTIONABLE = (Marker.BRAF_V600E, *FUSIONS)
NAMES = {
    Marker.BRAF_V600E: "BRAF V600E",
    Marker.RET_FUSION: "RET fusion",
    Marker.NTRK_FUSION: "NTRK fusion",
    Marker.ALK_FUSION: "ALK fusion",
}


@dataclass(frozen=True, slots=True)
class Rec:
    number: str  # "61", "67–69"
    text: str  # as reference.md 3.1 words it
    source: str
    tag: str


@dataclass(frozen=True, slots=True)
class Drug:
    key: str
    name: str
    marker: Marker
    indication: str  # reference.md 3.2's words, ending with its tag
    source: str = SOURCE_32


RECS = {
    "61": Rec(
        "61",
        "Test tissue biomarkers for actionable drivers before starting systemic therapy.",
        f"{SOURCE_31}, ATA 2025 Rec 61",
        ATA_TAG,
    ),
    "62": Rec(
        "62",
        "With no biomarker-linked first-line option, use lenvatinib or sorafenib; lenvatinib "
        "is usually preferred.",
        f"{SOURCE_31}, ATA 2025 Rec 62",
        ATA_TAG,
    ),
    "67–69": Rec(
        "67–69",
        "NTRK, RET and ALK fusion: targeted therapy first line.",
        f"{SOURCE_31}, ATA 2025 Recs 67–69",
        ATA_TAG,
    ),
    "70": Rec(
        "70",
        "BRAF V600E: BRAF-directed therapy may be considered first line in patients who are "
        "poor candidates for lenvatinib, and is recommended after MKI progression or "
        "intolerance.",
        f"{SOURCE_31}, ATA 2025 Rec 70",
        ATA_TAG,
    ),
}

DRUGS = (
    Drug(
        "selpercatinib",
        "selpercatinib",
        Marker.RET_FUSION,
        "Traditional approval (June 2024) for adults and pediatric patients ≥2 y with "
        "advanced/metastatic RET-fusion+ thyroid cancer who require systemic therapy and are "
        "RAI-refractory (if RAI is appropriate). Accelerated approval in 2020 for ≥12 y "
        "[S: FDA notice via clinicaloncology.com / maestro]. Tumor-agnostic RET fusion (2022) "
        "[S].",
    ),
    Drug(
        "pralsetinib",
        "pralsetinib",
        Marker.RET_FUSION,
        "2020 accelerated approval, RET-fusion+ thyroid cancer, ≥12 y, RAI-refractory [U]. "
        "Current US status of the thyroid indication [U].",
    ),
    Drug(
        "larotrectinib",
        "larotrectinib",
        Marker.NTRK_FUSION,
        "Tumor-agnostic NTRK-fusion solid tumors, adult and pediatric (2018) [U].",
    ),
    Drug(
        "entrectinib",
        "entrectinib",
        Marker.NTRK_FUSION,
        "Tumor-agnostic NTRK-fusion solid tumors (2019; age range later widened) [U].",
    ),
    Drug(
        "dabrafenib_trametinib",
        "dabrafenib + trametinib",
        Marker.BRAF_V600E,
        "BRAF V600E anaplastic thyroid cancer (2018); tumor-agnostic BRAF V600E solid tumors "
        "after prior therapy with no satisfactory alternative (2022) [U].",
    ),
)
# reference.md 3.2, ALK fusion row: no drug is named.
ALK_NOTE = (
    "No thyroid-specific FDA approval [U]. ATA 2025 Rec 69 still recommends ALK-targeted "
    "therapy first line [S]."
)


@dataclass(frozen=True, slots=True)
class Option:
    """One line for the team: what the finding is, the recommendation, the drugs."""

    code: str
    finding: str
    rec: Rec
    drugs: tuple[Drug, ...] = ()
    note: str = ""

    @property
    def unconfirmed(self) -> bool:
        return any("[U]" in d.indication for d in self.drugs) or "[U]" in self.note


def _result(findings: Mapping[str, str], marker: Marker) -> str:
    return findings.get(marker.value, "not_tested")


def options_for(findings: Mapping[str, str]) -> tuple[Option, ...]:
    """The Rec 61–70 lines for findings given as marker key -> result key
    ("positive", "negative", "not_tested"), in the order of the recommendations."""
    lines: list[Option] = []
    untested = [m for m in ACTIONABLE if _result(findings, m) not in (POSITIVE, NEGATIVE)]
    if untested:
        lines.append(
            Option(
                "test_first",
                "not tested: " + ", ".join(NAMES[m] for m in untested),
                RECS["61"],
            )
        )
    positive_fusions = [m for m in FUSIONS if _result(findings, m) == POSITIVE]
    fusions_tested = all(_result(findings, m) in (POSITIVE, NEGATIVE) for m in FUSIONS)
    if fusions_tested and not positive_fusions:
        lines.append(Option("no_biomarker_option", "no fusion found", RECS["62"]))
    for marker in positive_fusions:
        lines.append(
            Option(
                f"{marker.value}_targeted",
                f"{NAMES[marker]} positive",
                RECS["67–69"],
                tuple(d for d in DRUGS if d.marker is marker),
                ALK_NOTE if marker is Marker.ALK_FUSION else "",
            )
        )
    if _result(findings, Marker.BRAF_V600E) == POSITIVE:
        lines.append(
            Option(
                "braf_v600e_directed",
                "BRAF V600E positive",
                RECS["70"],
                tuple(d for d in DRUGS if d.marker is Marker.BRAF_V600E),
            )
        )
    return tuple(lines)
