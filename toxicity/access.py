"""The one way a view or API endpoint obtains a visit or a recommendation.

Through patients.access.access_record: a row that does not exist and a row of another
site get the same 404, so an outsider learns nothing about ids in use.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from patients.access import access_record, site_roles
from patients.models import Role
from toxicity.models import ImpactReport, Recommendation, Visit


def access_visit(user, visit_id, *, write: bool = False) -> Visit:
    return access_record(
        user,
        Visit.objects.select_related("course__patient__site", "recorded_by"),
        visit_id,
        site="course.patient.site_id",
        noun="visit",
        write=write,
    )


def access_recommendation(user, recommendation_id) -> Recommendation:
    return access_record(
        user,
        Recommendation.objects.select_related(
            "course__patient__site", "visit", "decided_by", "rule_set_signoff"
        ),
        recommendation_id,
        site="course.patient.site_id",
        noun="recommendation",
    )


# Who asks what a rule change would do: the pharmacist who signs rule sets off and
# the oncologist who signs the decisions.
IMPACT_ROLES = (Role.PHARMACIST, Role.ONCOLOGIST)


def impact_sites(user) -> list[int]:
    """The sites whose visits a user may put in an impact report."""
    return sorted(site for site, role in site_roles(user).items() if role in IMPACT_ROLES)


def may_view_impact(user, report: ImpactReport) -> bool:
    """A report lists patients' visits: it is for those who could run it over the same sites."""
    return set(report.site_ids) <= set(impact_sites(user))


def access_impact_report(user, report_id) -> ImpactReport:
    """A report the user may read; 404 for any other, as for one that does not exist."""
    report = (
        ImpactReport.objects.select_related("requested_by", "cancelled_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None or not may_view_impact(user, report):
        raise Http404(gettext("No such impact report."))
    return report
