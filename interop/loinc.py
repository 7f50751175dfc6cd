"""Which LOINC-coded results the tracker takes in, and what each one grades. PURE.

Each code maps to a CTCAE v5.0 term key and the field of the evaluation
contract (docs/sources/evaluate-contract.md, "Measurements by term") that the
value fills, with the units accepted for it (interop.units). A reference range
fills the contract's `uln` (from `referenceRange.high`) or `lln` (from `.low`).
A code that is not in this table is refused and reported; it is never matched
by its display text.

The LOINC codes and their names are not in docs/sources/: each was taken from
the LOINC table (Regenstrief Institute, https://loinc.org/<code>/) and is marked
UNCONFIRMED against a local copy in `SOURCE`. The blood-pressure panel
85354-9 with 8480-6 / 8462-4 is named in the product's requirements.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from interop import units
from interop.units import Conversion

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
SOURCE = "LOINC table, loinc.org (not in docs/sources: unconfirmed locally)"


class Kind(StrEnum):
    QUANTITY = "quantity"  # valueQuantity into `field`
    DIPSTICK = "dipstick"  # valueCodeableConcept / valueString: negative, trace, 1+ ... 4+
    BP_PANEL = "bp_panel"  # components 8480-6 and 8462-4 -> one reading [sbp, dbp]
    NOT_GRADED = "not_graded"  # known, but no CTCAE grade follows from the number


@dataclass(frozen=True)
class LabCode:
    loinc: str
    name: str  # LOINC long common name
    kind: Kind
    term: str | None = None
    field: str | None = None
    units: tuple[Conversion, ...] = ()
    range_field: str | None = None  # "uln" from referenceRange.high, "lln" from .low
    why_not_graded: str = ""


SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
BP_COMPONENTS = {SYSTOLIC: "Systolic blood pressure", DIASTOLIC: "Diastolic blood pressure"}

ALT = "alanine_aminotransferase_increased"
AST = "aspartate_aminotransferase_increased"
BILIRUBIN = "blood_bilirubin_increased"
CREATININE = "creatinine_increased"

CODES: dict[str, LabCode] = {
    c.loinc: c
    for c in (
        LabCode(
            "1742-6",
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            Kind.QUANTITY,
            ALT,
            "value",
            units.U_L,
            "uln",
        ),
        LabCode(
            "1920-8",
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            Kind.QUANTITY,
            AST,
            "value",
            units.U_L,
            "uln",
        ),
        LabCode(
            "1975-2",
            "Bilirubin.total [Mass/volume] in Serum or Plasma",
            Kind.QUANTITY,
            BILIRUBIN,
            "value",
            units.MG_DL_BILIRUBIN[:1],
            "uln",
        ),
        LabCode(
            "14631-6",
            "Bilirubin.total [Moles/volume] in Serum or Plasma",
            Kind.QUANTITY,
            BILIRUBIN,
            "value",
            units.MG_DL_BILIRUBIN[1:],
            "uln",
        ),
        LabCode(
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
            Kind.QUANTITY,
            CREATININE,
            "value",
            units.MG_DL_CREATININE[:1],
            "uln",
        ),
        LabCode(
            "14682-9",
            "Creatinine [Moles/volume] in Serum or Plasma",
            Kind.QUANTITY,
            CREATININE,
            "value",
            units.MG_DL_CREATININE[1:],
            "uln",
        ),
        LabCode(
            "17861-6",
            "Calcium [Mass/volume] in Serum or Plasma",
            Kind.QUANTITY,
            "hypocalcemia",
            "calcium_mg_dl",
            units.MG_DL_CALCIUM[:1],
            "lln",
        ),
        LabCode(
            "2000-8",
            "Calcium [Moles/volume] in Serum or Plasma",
            Kind.QUANTITY,
            "hypocalcemia",
            "calcium_mg_dl",
            units.MG_DL_CALCIUM[1:],
            "lln",
        ),
        # Albumin corrects the calcium drawn with it (CTCAE grades corrected calcium).
        LabCode(
            "1751-7",
            "Albumin [Mass/volume] in Serum or Plasma",
            Kind.QUANTITY,
            "hypocalcemia",
            "albumin_g_dl",
            units.G_DL_ALBUMIN,
        ),
        LabCode(
            "2889-4",
            "Protein [Mass/time] in 24 hour Urine",
            Kind.QUANTITY,
            "proteinuria",
            "urine_protein_g_24h",
            units.G_24H,
        ),
        LabCode(
            "2890-2",
            "Protein/Creatinine [Mass Ratio] in Urine",
            Kind.QUANTITY,
            "proteinuria",
            "upcr_g_per_g",
            units.G_PER_G,
        ),
        LabCode(
            "20454-5",
            "Protein [Presence] in Urine by Test strip",
            Kind.DIPSTICK,
            "proteinuria",
            "dipstick",
        ),
        LabCode(
            "8636-3",
            "QT interval corrected",
            Kind.QUANTITY,
            "electrocardiogram_qt_corrected_interval_prolonged",
            "qtc_ms",
            units.MS,
        ),
        LabCode(
            "85354-9",
            "Blood pressure panel with all children optional",
            Kind.BP_PANEL,
            "hypertension",
            "readings",
            units.MM_HG,
        ),
        LabCode("29463-7", "Body weight", Kind.QUANTITY, "weight_loss", "weight_kg", units.KG),
        LabCode(
            "3016-3",
            "Thyrotropin [Units/volume] in Serum or Plasma",
            Kind.NOT_GRADED,
            why_not_graded=(
                "CTCAE v5.0 grades 'Thyroid stimulating hormone increased' on whether an "
                "intervention was started, not on the value (docs/sources/reference.md, "
                "section 1.3); a clinician records it on the visit form."
            ),
        ),
    )
}
