"""The disease course's codes in the reader's words.

The pure modules (recist.py, thyroglobulin.py, flags.py, options.py) answer with
stable codes and English reasons. A page shows the code's words from here, translated;
the reasons and sources stay in the sources' English, marked lang="en" on the page.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

FLAG_LABELS: dict[str, Any] = {
    "progressed_12_14_months": _("progressed within 12–14 months by RECIST"),
    "symptomatic": _("symptomatic"),
    "tg_dt_under_1_year": _("Tg-DT < 1 year"),
    "no_actionable_alteration_tested": _("no actionable alteration tested"),
}
WINDOW_WORDS: dict[str, Any] = {
    "within_12_months": _("progression within the last 12 months"),
    "between_12_and_14_months": _("progression between 12 and 14 months ago"),
    "beyond_14_months": _("progression more than 14 months ago"),
    "no_progression": _("no RECIST progression recorded"),
}
RESPONSE_WORDS: dict[str, Any] = {
    "CR": _("complete response"),
    "PR": _("partial response"),
    "SD": _("stable disease"),
    "PD": _("progressive disease"),
    "NE": _("not evaluable"),
}
NON_TARGET_WORDS: dict[str, Any] = {
    "absent": _("absent"),
    "present": _("present"),
    "unequivocal_progression": _("unequivocal progression"),
    "not_evaluated": _("not evaluated"),
}
MODALITY_WORDS: dict[str, Any] = {
    "ct": _("CT"),
    "mri": _("MRI"),
    "chest_xray": _("chest X-ray"),
}
ANTIBODY_WORDS: dict[str, Any] = {
    "negative": _("negative"),
    "positive": _("positive"),
    "not_recorded": _("not recorded"),
}
TG_STATUS_WORDS: dict[str, Any] = {
    "doubling": _("doubling"),
    "not_doubling": _("not doubling: Tg stable or falling"),
    "not_computed": _("not computed"),
}


def words(table: dict[str, Any], code: str | None) -> Any:
    """The code's words; an unknown code is shown as it is, so it is seen, not lost."""
    if not code:
        return ""
    return table.get(code, code)


def flag_label(flag) -> Any:
    return FLAG_LABELS.get(flag.code, flag.label)


# The targeted drugs' generic names (disease/options.py DRUGS); the MKIs' names are
# patients/dosing.py's. No Chinese label of these drugs is in the project's sources:
# the Chinese names are marked for review in the catalogue.
TARGETED_DRUG_NAMES: dict[str, Any] = {
    "selpercatinib": _("selpercatinib"),
    "pralsetinib": _("pralsetinib"),
    "larotrectinib": _("larotrectinib"),
    "entrectinib": _("entrectinib"),
    "dabrafenib_trametinib": _("dabrafenib + trametinib"),
}
