"""Alert episodes opened under the old label-event keys join the CTCAE v5.0 terms.

Migration 0006 moved observations and the ledger's hold reasons from the five old
keys to the CTCAE terms the label rows name. An alert episode (``Alert.episode_term``)
still open under an old key would not be joined by a repeat recorded under the new
term: the repeat would open a second alert for the same toxicity, and the first one
would never end. Each alert moves to the term 0006 chose, with its audit row.

An open alert whose course already has an open alert under the new term is left as
it is (two episodes cannot be merged without a clinician): the migration names it
on its output. Ended episodes move too, so a course's history reads in one set of
terms. Reversal leaves the terms: each moved alert's history keeps what it was.
"""

import importlib

from django.db import migrations
from django.utils import timezone

terms_0006 = importlib.import_module("toxicity.migrations.0006_observations_on_ctcae_terms")
MOVES = terms_0006.MOVES
REASON = (
    "CTCAE v5.0 term migration: the alert's episode was opened as '{old}', which is not "
    "a CTCAE v5.0 term; now '{new}'"
)


def move_alert_episodes(apps, schema_editor, moves=MOVES):
    Alert = apps.get_model("notifications", "Alert")
    HistoricalAlert = apps.get_model("notifications", "HistoricalAlert")
    now = timezone.now()
    for alert in Alert.objects.filter(episode_term__in=list(moves)).order_by("pk"):
        old = alert.episode_term
        new = moves[old]
        if alert.episode_ended_at is None and (
            Alert.objects.filter(
                course_id=alert.course_id, episode_term=new, episode_ended_at__isnull=True
            ).exists()
        ):
            print(
                f"\n  alert {alert.pk} ({old}) left as it is: its course already has an "
                f"open {new} alert; a clinician must end one of them"
            )
            continue
        Alert.objects.filter(pk=alert.pk).update(episode_term=new)
        alert.episode_term = new
        terms_0006._history_row(HistoricalAlert, alert, REASON.format(old=old, new=new), now)


class Migration(migrations.Migration):
    dependencies = [
        ("toxicity", "0008_merge_ctcae_terms_and_ledger_link"),
        ("notifications", "0003_acknowledgement_by_decision"),
    ]

    operations = [migrations.RunPython(move_alert_episodes, migrations.RunPython.noop)]
