"""The one way a view or API endpoint obtains a visit or a recommendation.

Built like patients.access: a row that does not exist and a row of another
site get the same 404, so an outsider learns nothing about ids in use.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from patients.access import WRITE_ROLES, clinical_role_at
from toxicity.models import Recommendation, Visit


def access_visit(user, visit_id, *, write: bool = False) -> Visit:
    try:
        visit = Visit.objects.select_related("course__patient__site", "recorded_by").get(
            pk=int(visit_id)
        )
    except (Visit.DoesNotExist, TypeError, ValueError):
        raise Http404("No such visit.") from None
    role = clinical_role_at(user, visit.course.patient.site_id, missing="No such visit.")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied("Your role cannot change this visit.")
    return visit


def access_recommendation(user, recommendation_id) -> Recommendation:
    try:
        recommendation = Recommendation.objects.select_related(
            "course__patient__site", "visit", "decided_by", "rule_set_signoff"
        ).get(pk=int(recommendation_id))
    except (Recommendation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such recommendation.") from None
    clinical_role_at(user, recommendation.course.patient.site_id, missing="No such recommendation.")
    return recommendation
