"""What came in over FHIR (so nothing is stored twice) and who took what out.

The visits and observations an import creates are ordinary toxicity records,
written and audited by toxicity.services.visits.log_visit with the importer as actor.
The rows here are the exchange's own bookkeeping:

* `BundleImport`: one per Bundle taken in, unique per (site, bundle key), so the
  same Bundle sent twice (or by two retries at once) stores once.
* `ImportedObservation`: one per FHIR Observation id, unique per (site, id), so
  the same result in two Bundles stores once.
* `ExchangeLog`: the trail of who imported or exported what, and when. Rows are
  only ever added.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from patients.models import Patient, Site


class BundleImport(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    bundle_key = models.CharField(
        max_length=300,
        help_text="Bundle.identifier (system|value), else Bundle.id, else the SHA-256 of "
        "the Bundle's JSON.",
    )
    content_sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField()
    visit_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "bundle_key"], name="one_import_per_bundle")
        ]

    def __str__(self) -> str:
        return f"Bundle {self.bundle_key} at {self.site}"


class ImportedObservation(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    resource_id = models.CharField(max_length=64, help_text="Observation.id as sent.")
    content_sha256 = models.CharField(max_length=64)
    bundle_import = models.ForeignKey(
        BundleImport, on_delete=models.PROTECT, related_name="observations"
    )
    visit = models.ForeignKey("toxicity.Visit", on_delete=models.PROTECT, related_name="+")
    term = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "resource_id"], name="one_import_per_observation"
            )
        ]

    def __str__(self) -> str:
        return f"Observation/{self.resource_id}"


class ExchangeAction(models.TextChoices):
    IMPORT_FHIR = "import_fhir", "Imported a FHIR Bundle"
    EXPORT_FHIR = "export_fhir", "Exported a patient's record as FHIR"
    EXPORT_SDTM = "export_sdtm", "Exported a site as SDTM"


class ExchangeLog(models.Model):
    """Who took what in or out of the tracker, and when."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=ExchangeAction.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    with_identifiers = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, help_text="Counts and keys; no patient identifiers.")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=ExchangeAction.values), name="exchange_action"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"
