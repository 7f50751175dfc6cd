"""The dose ledger no longer points at toxicity: the link between a ledger row and
the recommendation it carries out is Recommendation.dose_change (toxicity 0006,
which copies every existing link first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_patient_version"),
        ("toxicity", "0006_recommendation_dose_change"),
    ]

    operations = [
        migrations.RemoveField(model_name="dosechange", name="recommendation"),
        migrations.RemoveField(model_name="historicaldosechange", name="recommendation"),
    ]
