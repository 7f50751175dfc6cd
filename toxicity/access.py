"""The one way a view or API endpoint obtains a visit or a recommendation.

Through patients.access.access_record: a row that does not exist and a row of another
site get the same 404, so an outsider learns nothing about ids in use.
"""

from __future__ import annotations

from patients.access import access_record
from toxicity.models import Recommendation, Visit


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
