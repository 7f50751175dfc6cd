"""Asking for a rule-set impact report: stored now, worked out on the workers.

The report is planned and evaluated by the tasks in toxicity/tasks.py, queued
once the report is committed; toxicity/services/impact.py says how.
"""

from __future__ import annotations

from django.db import transaction

from toxicity import tasks
from toxicity.models import ImpactReport
from toxicity.services import impact


def request_report(**fields) -> ImpactReport:
    """`impact.new_report` (the same arguments), with its planning queued on commit."""
    with transaction.atomic():
        report = impact.new_report(**fields)
        report_id = report.pk
        transaction.on_commit(lambda: tasks.plan_impact_report.delay(report_id), robust=True)
    return report
