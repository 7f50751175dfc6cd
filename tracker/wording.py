"""Measurements in the words a clinician reads: "Weight 74.2 kg", never "weight kg 74.2".

Plain functions over the stored measurement dicts (toxicity.models.Observation.
measurements, the keys of docs/sources/evaluate-contract.md). Every key an
observation may carry has its words here; a key without words is shown as it is
named, so a new field is visible rather than lost (tests/tracker/test_wording.py
checks the contract's fields all have words).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from toxicity.ctcae.grading import corrected_calcium_mg_dl
from toxicity.ctcae.terms import TERMS
from toxicity.names import term_name


class Words(NamedTuple):
    label: Any  # lazy text
    unit: str = ""


# Units of the lab "value" per term, as the visit form asks for them.
LAB_UNITS = {
    "alanine_aminotransferase_increased": "U/L",
    "aspartate_aminotransferase_increased": "U/L",
    "blood_bilirubin_increased": "mg/dL",
    "creatinine_increased": "mg/dL",
}
MEASUREMENT_WORDS: dict[str, Words] = {
    "sbp": Words(_("Systolic"), "mm Hg"),
    "dbp": Words(_("Diastolic"), "mm Hg"),
    "stools_per_day": Words(_("Stools per day")),
    "baseline_stools_per_day": Words(_("baseline")),
    "weight_kg": Words(_("Weight"), "kg"),
    "baseline_weight_kg": Words(_("baseline"), "kg"),
    "urine_protein_g_24h": Words(_("24-h urine protein"), "g"),
    "dipstick": Words(_("Dipstick")),
    "upcr_g_per_g": Words(_("Protein/creatinine ratio"), "g/g"),
    "value": Words(_("Value")),
    "uln": Words(_("ULN")),
    "baseline": Words(_("baseline")),
    "qtc_ms": Words(_("QTc"), "ms"),
    "baseline_qtc_ms": Words(_("baseline QTc"), "ms"),
    "calcium_mg_dl": Words(_("Calcium"), "mg/dL"),
    "albumin_g_dl": Words(_("Albumin"), "g/dL"),
    "ionized_calcium_mmol_l": Words(_("Ionized calcium"), "mmol/L"),
    "lln": Words(_("LLN")),
    "antihypertensive_stable_hours": Words(_("antihypertensives unchanged for"), "h"),
}
FLAG_WORDS: dict[str, Any] = {
    "intolerable": _("intolerable to the patient"),
    "optimal_antihypertensive_therapy": _("on optimal antihypertensive therapy"),
    "persistent": _("persistent"),
    "symptomatic": _("symptomatic"),
}
# Said elsewhere on the card (the therapy line), or not a clinician's concern.
HIDDEN = {"antihypertensive_stable_hours"}

# Column headings of the patient page's visit grid for the CTCAE names whose length alone
# pushed the grid past a laptop's width; the full name stays in the heading's title.
SHORT_TERM_NAMES: dict[str, Any] = {
    "alanine_aminotransferase_increased": _("ALT"),
    "aspartate_aminotransferase_increased": _("AST"),
    "blood_bilirubin_increased": _("Bilirubin"),
    "creatinine_increased": _("Creatinine"),
    "electrocardiogram_qt_corrected_interval_prolonged": _("QTc"),
    "ejection_fraction_decreased": _("Ejection fraction"),
    "palmar_plantar_erythrodysesthesia_syndrome": _("Hand-foot (PPE)"),
}


def term_heading(name: str) -> str:
    """A CTCAE term's heading in the visit grid, given its full name in English or in
    the reader's language."""
    for key, short in SHORT_TERM_NAMES.items():
        if name in (TERMS[key].name, term_name(key)):
            return str(short)
    return name


def zone_label(zone_name: str, moment) -> str:
    """The clinic's zone as the time hints name it, once: "UTC", or the zone and its
    offset now ("Asia/Shanghai, UTC+08:00"); an abbreviation such as CST names several."""
    offset = moment.utcoffset()
    if zone_name == "UTC" or offset is None:
        return zone_name
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{zone_name}, UTC{sign}{hours:02d}:{minutes:02d}"


def number(value: Any) -> str:
    """74.2 -> '74.2', 74.0 -> '74', 0.125 -> '0.12' (two decimals at most)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{round(float(value), 2):g}"


def _with_unit(value: Any, unit: str) -> str:
    return f"{number(value)} {unit}".strip()


def mean_bp(readings) -> tuple[float, float] | None:
    pairs = [(float(s), float(d)) for s, d in readings or ()]
    if not pairs:
        return None
    return (
        sum(s for s, _d in pairs) / len(pairs),
        sum(d for _s, d in pairs) / len(pairs),
    )


def weight_change_percent(weight_kg: float, baseline_kg: float) -> float:
    return (weight_kg - baseline_kg) / baseline_kg * 100


def measurement_text(term: str, measurements: Mapping[str, Any] | None) -> str:
    """One observation's values in words, with units, the mean BP and the weight change."""
    m = dict(measurements or {})
    parts: list[str] = []
    readings = m.pop("readings", None)
    if term == "hypertension" and (readings or m.get("sbp") is not None):
        if not readings:
            readings = [[m.pop("sbp"), m.pop("dbp", None)]]
        shown = ", ".join(f"{number(s)}/{number(d)}" for s, d in readings)
        text = f"{shown} mm Hg"
        mean = mean_bp(readings)
        if mean and len(readings) > 1:
            # A mean of 89.5 is graded below 90: rounded to "90" it would read as the
            # next grade, so it keeps its half.
            text += " · " + str(_("mean")) + f" {number(mean[0])}/{number(mean[1])} mm Hg"
        parts.append(text)
    if term == "weight_loss" and m.get("weight_kg") is not None:
        weight = m.pop("weight_kg")
        text = f"{_('Weight')} {_with_unit(weight, 'kg')}"
        baseline = m.pop("baseline_weight_kg", None)
        if baseline:
            change = weight_change_percent(float(weight), float(baseline))
            text += f" ({change:+.1f} % {_('from baseline')} {_with_unit(baseline, 'kg')})"
        parts.append(text)
    if term == "hypocalcemia" and m.get("calcium_mg_dl") is not None and m.get("albumin_g_dl"):
        corrected = corrected_calcium_mg_dl(float(m["calcium_mg_dl"]), float(m["albumin_g_dl"]))
        m["_corrected"] = corrected
    for key, value in m.items():
        if key in HIDDEN or value is None:
            continue
        if key == "_corrected":
            # The correction formula is not CTCAE's and not yet confirmed (reference.md 1.4).
            parts.append(f"{_('corrected (formula unconfirmed)')} {_with_unit(value, 'mg/dL')}")
            continue
        if key in FLAG_WORDS:
            if value is True:
                parts.append(str(FLAG_WORDS[key]))
            continue
        words = MEASUREMENT_WORDS.get(key, Words(key))
        unit = words.unit
        if key in ("value", "uln", "baseline"):
            unit = LAB_UNITS.get(term, "")
        parts.append(f"{words.label} {_with_unit(value, unit)}")
    return ", ".join(parts)


# CTCAE v5.0's system organ classes (MedDRA's names), as the visit form's term picker
# groups them; tests/tracker/test_wording.py checks every class of the dictionary is here.
SYSTEM_ORGAN_CLASSES = {
    "Blood and lymphatic system disorders": _("Blood and lymphatic system disorders"),
    "Cardiac disorders": _("Cardiac disorders"),
    "Congenital, familial and genetic disorders": _("Congenital, familial and genetic disorders"),
    "Ear and labyrinth disorders": _("Ear and labyrinth disorders"),
    "Endocrine disorders": _("Endocrine disorders"),
    "Eye disorders": _("Eye disorders"),
    "Gastrointestinal disorders": _("Gastrointestinal disorders"),
    "General disorders and administration site conditions": _(
        "General disorders and administration site conditions"
    ),
    "Hepatobiliary disorders": _("Hepatobiliary disorders"),
    "Immune system disorders": _("Immune system disorders"),
    "Infections and infestations": _("Infections and infestations"),
    "Injury, poisoning and procedural complications": _(
        "Injury, poisoning and procedural complications"
    ),
    "Investigations": _("Investigations"),
    "Metabolism and nutrition disorders": _("Metabolism and nutrition disorders"),
    "Musculoskeletal and connective tissue disorders": _(
        "Musculoskeletal and connective tissue disorders"
    ),
    "Neoplasms benign, malignant and unspecified (incl cysts and polyps)": _(
        "Neoplasms benign, malignant and unspecified (incl cysts and polyps)"
    ),
    "Nervous system disorders": _("Nervous system disorders"),
    "Pregnancy, puerperium and perinatal conditions": _(
        "Pregnancy, puerperium and perinatal conditions"
    ),
    "Psychiatric disorders": _("Psychiatric disorders"),
    "Renal and urinary disorders": _("Renal and urinary disorders"),
    "Reproductive system and breast disorders": _("Reproductive system and breast disorders"),
    "Respiratory, thoracic and mediastinal disorders": _(
        "Respiratory, thoracic and mediastinal disorders"
    ),
    "Skin and subcutaneous tissue disorders": _("Skin and subcutaneous tissue disorders"),
    "Social circumstances": _("Social circumstances"),
    "Surgical and medical procedures": _("Surgical and medical procedures"),
    "Vascular disorders": _("Vascular disorders"),
}


def system_organ_class(name: str):
    """A system organ class in the reader's language; one not listed, as CTCAE names it."""
    return SYSTEM_ORGAN_CLASSES.get(name, name)
