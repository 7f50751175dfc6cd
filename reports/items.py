"""The weekly PRO-CTCAE survey as data: which symptoms, which questions, which answers.

Pure Python (no Django), typed. Every clinical fact here comes from
docs/sources/reference.md section 3.5:

* the items and their attributes are ``toxicity.ctcae.pro.PRO_ITEMS`` (the ProAE
  item map), so the survey asks exactly what the composite tables grade;
* the 0-4 response scales are ``toxicity.ctcae.pro.ATTRIBUTE_SCALES`` (the ProAE
  recode map);
* the 7-day recall is the library's ("with a 7-day recall"; reference.md marks
  the recall period itself unconfirmed, [U]).

The exact NCI question texts are NOT in docs/sources. The questions below follow the
item library's form (recall, then the attribute, then the symptom) written from the
attribute names; every item therefore says ``wording_confirmed=False`` with the
reason, like an unconfirmed rule row, so the clinic checks the text against the NCI
PRO-CTCAE form before go-live. Patients see the question only; the clinic's page and
docs/patient-reports.md show the mark.

``_`` below marks strings for translation (makemessages extracts them); the pages
translate them when they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from toxicity.ctcae.pro import (
    ATTRIBUTE_SCALES,
    FREQUENCY,
    INTERFERENCE,
    PRO_ITEMS,
    SEVERITY,
)

__all__ = [
    "ANYTHING_ELSE_CHARS",
    "ATTRIBUTE_ORDER",
    "CTCAE_TERM",
    "CTCAE_TERM_CONFIRMED",
    "CTCAE_TERM_NOTE",
    "ITEMS",
    "RECALL_DAYS",
    "SOURCE",
    "SURVEY",
    "WORDING_UNCONFIRMED_REASON",
    "Item",
    "Question",
    "scale",
]


def _(text: str) -> str:
    """Marks a string for translation; the page translates it when shown."""
    return text


SOURCE = "docs/sources/reference.md section 3.5 (ProAE item map and recode map)"
# reference.md 3.5: "with a 7-day recall [S: awell-health README; recall period U]".
RECALL_DAYS = 7
# The free "anything else" box: a few sentences, like a clinician's reason.
ANYTHING_ELSE_CHARS = 2000

WORDING_UNCONFIRMED_REASON = _(
    "The NCI PRO-CTCAE item text is not in docs/sources; this question is written in the "
    "item library's form from the attribute names in reference.md 3.5. Check it against "
    "the NCI form before go-live."
)

# The order the library asks an item's questions in: how often, how bad, how much in the way.
ATTRIBUTE_ORDER: tuple[str, ...] = (FREQUENCY, SEVERITY, INTERFERENCE)

_ASK = {
    FREQUENCY: _("In the last 7 days, how often did you have {symptom}?"),
    SEVERITY: _("In the last 7 days, what was the severity of your {symptom} at its worst?"),
    INTERFERENCE: _(
        "In the last 7 days, how much did {symptom} interfere with your usual or daily activities?"
    ),
}

# The answer words, marked for translation; the values are ATTRIBUTE_SCALES' own.
_SCALE_WORDS = (
    _("Never"),
    _("Rarely"),
    _("Occasionally"),
    _("Frequently"),
    _("Almost constantly"),
    _("None"),
    _("Mild"),
    _("Moderate"),
    _("Severe"),
    _("Very severe"),
    _("Not at all"),
    _("A little bit"),
    _("Somewhat"),
    _("Quite a bit"),
    _("Very much"),
)


@dataclass(frozen=True, slots=True)
class Question:
    attribute: str  # frequency, severity or interference
    text: str  # English; translated when shown (text_in)
    choices: tuple[tuple[int, str], ...]  # (0-4, answer words)
    ask: str = ""  # the question form, "{symptom}" not yet filled in (a msgid)
    symptom: str = ""  # the symptom's words (a msgid)

    def text_in(self, translate: Callable[[str], str]) -> str:
        """The question in the reader's language: the form and the symptom are
        translated each on its own, then put together (``text`` is already put
        together in English, which no catalogue entry matches)."""
        if not self.ask:
            return translate(self.text)
        return translate(self.ask).format(symptom=translate(self.symptom))


@dataclass(frozen=True, slots=True)
class Item:
    key: str  # the item's name in toxicity.ctcae.pro.PRO_ITEMS
    title: str  # a short plain heading for the patient
    symptom: str  # the words put into the library's question form
    attributes: frozenset[str]
    wording_confirmed: bool
    wording_note: str  # why the wording is unconfirmed ("" when confirmed)
    source: str

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(
            Question(
                attribute,
                _ASK[attribute].format(symptom=self.symptom),
                scale(attribute),
                ask=_ASK[attribute],
                symptom=self.symptom,
            )
            for attribute in ATTRIBUTE_ORDER
            if attribute in self.attributes
        )


def scale(attribute: str) -> tuple[tuple[int, str], ...]:
    """The 0-4 answers of one attribute, from reference.md 3.5's response scales."""
    return tuple(enumerate(ATTRIBUTE_SCALES[attribute]))


def _item(key: str, title: str, symptom: str) -> Item:
    return Item(
        key=key,
        title=title,
        symptom=symptom,
        attributes=PRO_ITEMS[key],
        wording_confirmed=False,
        wording_note=WORDING_UNCONFIRMED_REASON,
        source=SOURCE,
    )


# The symptoms of lenvatinib, sorafenib and cabozantinib that issue 14 names, in the
# order a patient thinks of them (gut, energy, mouth and skin, voice, pain, breath, bleeding).
_SURVEY: tuple[Item, ...] = (
    _item("diarrhea", _("Diarrhoea"), _("loose or watery stools (diarrhoea)")),
    _item("nausea", _("Nausea"), _("nausea (feeling sick)")),
    _item("vomiting", _("Vomiting"), _("vomiting (being sick)")),
    _item("decreased_appetite", _("Appetite"), _("decreased appetite")),
    _item("fatigue", _("Tiredness"), _("fatigue, tiredness or lack of energy")),
    _item("mouth_throat_sores", _("Mouth or throat sores"), _("mouth or throat sores")),
    _item(
        "hand_foot_syndrome",
        _("Hands and feet"),
        _(
            "hand-foot syndrome (a rash of the hands or feet that can cause cracking, "
            "peeling, redness or pain)"
        ),
    ),
    _item("hoarse_voice", _("Hoarse voice"), _("hoarse voice")),
    _item("headache", _("Headache"), _("headache")),
    _item("abdominal_pain", _("Belly pain"), _("pain in the abdomen (belly area)")),
    _item("shortness_of_breath", _("Breathing"), _("shortness of breath")),
    _item("nosebleeds", _("Nosebleeds"), _("nosebleeds")),
)

SURVEY: tuple[Item, ...] = _SURVEY
ITEMS: Mapping[str, Item] = MappingProxyType({item.key: item for item in _SURVEY})


# --- the CTCAE v5.0 term a nurse grades each reported symptom with ----------------------
# The term keys are toxicity.ctcae.terms' (tests/reports/test_triage_items.py checks
# each exists in the dictionary). PRO-CTCAE items are written for CTCAE terms, but the
# item-to-term list is not in docs/sources: each pair below matches the item's symptom
# to the CTCAE term of the same meaning and is unconfirmed until checked.
CTCAE_TERM_CONFIRMED = False
CTCAE_TERM_NOTE = (
    "The PRO-CTCAE item to CTCAE term list is not in docs/sources; each term is the "
    "CTCAE v5.0 term of the item's symptom. Check it before go-live."
)
CTCAE_TERM: Mapping[str, str] = MappingProxyType(
    {
        "diarrhea": "diarrhea",
        "nausea": "nausea",
        "vomiting": "vomiting",
        "decreased_appetite": "anorexia",
        "fatigue": "fatigue",
        "mouth_throat_sores": "mucositis_oral",
        "hand_foot_syndrome": "palmar_plantar_erythrodysesthesia_syndrome",
        "hoarse_voice": "hoarseness",
        "headache": "headache",
        "abdominal_pain": "abdominal_pain",
        "shortness_of_breath": "dyspnea",
        "nosebleeds": "epistaxis",
    }
)
