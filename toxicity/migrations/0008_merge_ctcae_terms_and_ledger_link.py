"""The whole-CTCAE term migration and the recommendation-held ledger link, joined."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("toxicity", "0006_observations_on_ctcae_terms"),
        ("toxicity", "0007_remove_duecheck_satisfied_by"),
    ]

    operations = []
