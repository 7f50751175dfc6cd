"""The link between a signed recommendation and the ledger row that carries it out
moves to the toxicity side (Recommendation.dose_change), so patients knows nothing
of toxicity. Every existing link is copied before patients 0010 drops
DoseChange.recommendation, onto the recommendation and onto its history rows from
the signing on; a recommendation carried out by two ledger rows (which no
decision ever wrote) stops the migration rather than lose one."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

HELP = "The dose-ledger row that carries out this signed recommendation, if any."


def _check_now(schema_editor):
    """PostgreSQL defers the foreign-key checks of the rows just written to the end of
    the transaction, and refuses to alter a table that still has them pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def copy_links_to_recommendations(apps, schema_editor):
    DoseChange = apps.get_model("patients", "DoseChange")
    Recommendation = apps.get_model("toxicity", "Recommendation")
    changes_by_recommendation = defaultdict(list)
    for change_id, recommendation_id in (
        DoseChange.objects.exclude(recommendation_id=None)
        .order_by("id")
        .values_list("id", "recommendation_id")
    ):
        changes_by_recommendation[recommendation_id].append(change_id)
    doubled = {r: c for r, c in changes_by_recommendation.items() if len(c) > 1}
    if doubled:
        raise RuntimeError(
            "These recommendations are carried out by more than one dose change "
            f"(recommendation: dose changes): {doubled}. Resolve them before migrating."
        )
    history = apps.get_model("toxicity", "HistoricalRecommendation").objects
    recorded = dict(
        DoseChange.objects.filter(recommendation_id__isnull=False).values_list("id", "recorded_at")
    )
    for recommendation_id, (change_id,) in changes_by_recommendation.items():
        Recommendation.objects.filter(pk=recommendation_id).update(dose_change_id=change_id)
        # The audit trail keeps the link too: the recommendation's history from the
        # moment the ledger row was written (its signing) names the row.
        history.filter(id=recommendation_id, history_date__gte=recorded[change_id]).update(
            dose_change_id=change_id
        )
    _check_now(schema_editor)


def copy_links_back_to_dose_changes(apps, schema_editor):
    DoseChange = apps.get_model("patients", "DoseChange")
    Recommendation = apps.get_model("toxicity", "Recommendation")
    for recommendation_id, change_id in Recommendation.objects.exclude(
        dose_change_id=None
    ).values_list("id", "dose_change_id"):
        DoseChange.objects.filter(pk=change_id).update(recommendation_id=recommendation_id)
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_patient_version"),
        ("toxicity", "0005_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrecommendation",
            name="dose_change",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="patients.dosechange",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="dose_change",
            field=models.OneToOneField(
                blank=True,
                help_text=HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="recommendation",
                to="patients.dosechange",
            ),
        ),
        migrations.RunPython(copy_links_to_recommendations, copy_links_back_to_dose_changes),
    ]
