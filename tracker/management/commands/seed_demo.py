"""Seeds the synthetic demonstration cohort and prints the demo users' passwords once.

Here, in tracker, because it seeds every layer below the pages: sites, patients and
ledgers (patients.demo), then visits, evaluations and alerts (toxicity.demo), then the
patients' months of reports from home (reports.demo), then the disease course:
surveillance patients, imaging, thyroglobulin, molecular results and the tumour board
(disease.demo; reports and disease are siblings that do not import each other)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from disease import demo as disease_demo
from patients import demo
from patients.models import Site
from reports import demo as reports_demo
from toxicity import demo as toxicity_demo

# Seeding runs some 1,900 tasks in process: one INFO line each from Celery, and
# kombu's warning that no broker host was given. The demo prints its summary instead.
QUIET_WHILE_SEEDING = {"celery": logging.WARNING, "kombu": logging.ERROR}


@contextmanager
def quiet_task_logs() -> Iterator[None]:
    loggers = {name: logging.getLogger(name) for name in QUIET_WHILE_SEEDING}
    levels = {name: logger.level for name, logger in loggers.items()}
    for name, logger in loggers.items():
        logger.setLevel(QUIET_WHILE_SEEDING[name])
    try:
        yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(levels[name])


class Command(BaseCommand):
    help = (
        "Create 3 demo sites, their nurses, oncologists, pharmacists and admins, "
        "60 synthetic patients, and a third of those on treatment reporting from home; "
        "4 patients a site on active surveillance with their imaging, thyroglobulin, "
        "molecular results and the tumour board's list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients-per-site", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, patients_per_site: int, seed: int, **options):
        if patients_per_site < 1:
            raise CommandError("--patients-per-site must be at least 1.")
        if Site.objects.exists():
            self.stdout.write(
                "The demo cohort is already seeded; its passwords were printed when it was "
                "created. To start again: rm var/tracker.sqlite3 && make demo"
            )
            return
        with quiet_task_logs():
            users = demo.seed(patients_per_site=patients_per_site, seed_value=seed)
            visits = toxicity_demo.seed_visits(seed_value=seed)
            home = reports_demo.seed_reports(seed_value=seed)
            disease = disease_demo.seed_disease(users=users, seed_value=seed)
            impact = toxicity_demo.seed_impact_report()
        self.stdout.write(f"{visits} visits logged and evaluated.")
        self.stdout.write(
            f"{home.patients} patients report from home: {home.reports} weekly reports, "
            f"{home.bp_sittings} home blood pressure sittings, {home.doses} dose reports."
        )
        self.stdout.write(
            f"{disease.patients} patients on active surveillance; {disease.studies} imaging "
            f"studies, {disease.tg_labs} thyroglobulin results; the tumour board lists "
            f"{disease.open_entries} patients to discuss, {disease.decisions} decided and signed."
        )
        if impact is not None:
            self.stdout.write(
                f"An impact report of a changed hypertension row: {impact.visits_changed} of "
                f"{impact.visits_evaluated} visits decided differently (/impact/{impact.pk}/)."
            )
        if home.patient_user is not None:
            users = [*users, home.patient_user]
        self.stdout.write(self.style.SUCCESS("Demo cohort seeded. Demo users (shown once):"))
        width = max(len(u.username) for u in users)
        for user in users:
            self.stdout.write(
                f"  {user.username:<{width}}  {user.password}  {user.role}, {user.site}"
            )
