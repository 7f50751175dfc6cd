"""Admin pages of the patient-reports app: each site's triage policy.

A site administrator edits the policy of the sites they administer
(patients.admin.SiteScopedAdmin); every change is kept in its history.
"""

from django.contrib import admin

from config.admin import HistoryAdmin
from patients.admin import SiteScopedAdmin
from reports.models import ReportPolicy


@admin.register(ReportPolicy)
class ReportPolicyAdmin(SiteScopedAdmin, HistoryAdmin):
    list_display = [
        "site",
        "alert_composite_grade",
        "alert_home_bp_grade",
        "alert_worsening_points",
        "alert_on_anything_else",
    ]
