"""DueCheck.satisfied_by was never written: a check is closed by satisfied_at alone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("toxicity", "0006_recommendation_dose_change"),
    ]

    operations = [
        migrations.RemoveField(model_name="duecheck", name="satisfied_by"),
    ]
