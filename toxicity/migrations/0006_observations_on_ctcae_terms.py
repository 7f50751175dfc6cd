"""Observations recorded under the old label-event keys move to the CTCAE v5.0 terms.

Before the whole CTCAE v5.0 dictionary, a few label rows were reached through keys
that are not CTCAE terms. They are no longer recordable nor accepted by the
engine, so a visit holding one could not be evaluated again, and a hold caused by
one could never be judged recovered. Each key moves to the CTCAE term the label
row now names (``toxicity/rules``, ``toxicity/ctcae/terms.py``):

========================== ============================ ==========================================
old key                    CTCAE v5.0 term              why this term
========================== ============================ ==========================================
cerebral_infarction        stroke                       CTCAE has no "cerebral infarction"; its
                                                        Stroke is the arterial obstruction of the
                                                        brain (terms.py; verification.md 3.3, 5.1)
impaired_wound_healing     wound_complication           the first of the label's wound terms and
                                                        CTCAE's general one (Wound dehiscence is a
                                                        specific separation of the wound edges)
fistula                    gastrointestinal_fistula     CTCAE's site-less GI fistula term; the
                                                        label rows (US and EU) name it
gastrointestinal_perforation colonic_perforation        see below
cardiac_ischemia           chest_pain_cardiac           NEXAVAR "cardiac ischemia": CTCAE's Chest
                                                        pain - cardiac is pain "due to
                                                        insufficient myocardial oxygenation";
                                                        an infarction was not recorded
========================== ============================ ==========================================

GI perforation: CTCAE v5.0 has no site-less perforation term, only the eight site
terms of the Gastrointestinal disorders class. Every one of them fires the same
rows in all six rule sets (``GI_PERFORATION_TERMS``), so the decision a moved row
leads to is unchanged whichever is chosen; Colonic perforation is the term the
project names for a GI perforation (the contract's error message and the rule
tests). The site was not recorded: the audit reason of each moved row says so, for
a clinician to correct the site on the visit if it is known.

``cardiac_ischemia`` is not in the list the issue gives, but it is the fifth old key
that is no longer a term, and it breaks the same way.

Each change is written with its audit row (django-simple-history, type "~", no
user: the migration, with the reason). A stored grade that the new term does not
define (e.g. a grade 1 perforation: CTCAE perforations start at grade 2) is kept
as recorded and the reason asks for review. A visit that already holds the target
term keeps both rows unchanged (they cannot be merged without a clinician); the
migration names them on its output.

The dose ledger's ``reason_terms`` (read back as the engine's hold reasons and
occurrence counts) moves the same way, with its audit rows.

Reversal leaves the terms as they are: the old keys could not be evaluated, and
each moved row's audit history keeps what it was recorded as.
"""

from django.db import migrations
from django.utils import timezone

MOVES = {
    "cerebral_infarction": "stroke",
    "impaired_wound_healing": "wound_complication",
    "fistula": "gastrointestinal_fistula",
    "gastrointestinal_perforation": "colonic_perforation",
    "cardiac_ischemia": "chest_pain_cardiac",
}
SITE_NOT_RECORDED = {"gastrointestinal_perforation"}
REASON_PREFIX = "CTCAE v5.0 term migration"

# The grades CTCAE v5.0 defines for each target (toxicity/ctcae/data/ctcae_v5.0.csv),
# written out because a migration must not read the live dictionary.
TARGET_GRADES = {
    "stroke": {1, 2, 3, 4, 5},
    "wound_complication": {1, 2, 3, 4, 5},
    "gastrointestinal_fistula": {1, 2, 3, 4, 5},
    "colonic_perforation": {2, 3, 4, 5},
    "chest_pain_cardiac": {1, 2, 3},
}


def _reason(old, new, grades=()):
    text = f"{REASON_PREFIX}: recorded as '{old}', which is not a CTCAE v5.0 term; now '{new}'"
    if old in SITE_NOT_RECORDED:
        text += " (the site of the perforation was not recorded: correct it if known)"
    undefined = sorted({g for g in grades if g and g not in TARGET_GRADES[new]})
    if undefined:
        shown = ", ".join(str(g) for g in undefined)
        text += f"; grade {shown} is not defined for {new}: clinician to review"
    return text


def _history_row(history_model, row, reason, now):
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    history_model.objects.create(
        **values,
        history_date=now,
        history_type="~",
        history_user=None,
        history_change_reason=reason,
    )


def move_observations(apps, schema_editor, moves=MOVES):
    Observation = apps.get_model("toxicity", "Observation")
    HistoricalObservation = apps.get_model("toxicity", "HistoricalObservation")
    DoseChange = apps.get_model("patients", "DoseChange")
    HistoricalDoseChange = apps.get_model("patients", "HistoricalDoseChange")
    now = timezone.now()
    for obs in Observation.objects.filter(term__in=list(moves)).order_by("pk"):
        old = obs.term
        new = moves[old]
        if Observation.objects.filter(visit_id=obs.visit_id, term=new).exists():
            print(
                f"\n  observation {obs.pk} ({old}) left as it is: visit {obs.visit_id} "
                f"already records {new}; a clinician must merge them"
            )
            continue
        grades = (obs.computed_grade, obs.clinician_grade, obs.final_grade)
        Observation.objects.filter(pk=obs.pk).update(term=new)
        obs.term = new
        _history_row(HistoricalObservation, obs, _reason(old, new, grades), now)
    for change in DoseChange.objects.filter(reason_terms__isnull=False).order_by("pk"):
        terms = list(change.reason_terms or ())
        if not any(t in moves for t in terms):
            continue
        moved = sorted({moves.get(t, t) for t in terms})
        pairs = "; ".join(
            _reason(t, moves[t]).removeprefix(f"{REASON_PREFIX}: ") for t in terms if t in moves
        )
        DoseChange.objects.filter(pk=change.pk).update(reason_terms=moved)
        change.reason_terms = moved
        _history_row(HistoricalDoseChange, change, f"{REASON_PREFIX}: {pairs}", now)


class Migration(migrations.Migration):
    dependencies = [
        ("toxicity", "0005_text_limits"),
        ("patients", "0009_patient_version"),
    ]

    operations = [migrations.RunPython(move_observations, migrations.RunPython.noop)]
