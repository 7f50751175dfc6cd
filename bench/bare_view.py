"""The baseline for bench/visit_api.py: a bare Django view doing the same validated insert.

Same token authentication, same engine validation and grading of the
observations, same Visit + Observation rows (with their audit history rows),
but no DRF, no service layer and no queued evaluation. Bench-only.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from patients.models import ApiToken, TreatmentCourse
from patients.tokens import digest_of
from toxicity.models import Observation, Visit
from toxicity.rules.evaluate import InvalidRequest, validate


@csrf_exempt
def bare_visit_create(request):
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(key), revoked_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if token is None:
        return JsonResponse({"errors": {"detail": "unauthenticated"}}, status=401)
    body = json.loads(request.body)
    course = TreatmentCourse.objects.select_related("patient").get(pk=body["course"])
    occurred_at = parse_datetime(body["occurred_at"])
    optimal = body["antihypertensive_therapy"] == "optimal"
    observations = [
        {**o, "optimal_antihypertensive_therapy": optimal} if o["term"] == "hypertension" else o
        for o in body["observations"]
    ]
    try:
        findings = validate(
            {"drug": course.drug, "dose_mg_per_day": 24, "observations": observations}
        ).findings
    except InvalidRequest as refused:
        return JsonResponse({"errors": refused.errors}, status=400)
    now = timezone.now()
    with transaction.atomic():
        visit = Visit.objects.create(
            course=course,
            occurred_at=occurred_at,
            recorded_by=token.user,
            recorded_at=now,
            updated_at=now,
            antihypertensive_therapy=body["antihypertensive_therapy"],
        )
        for obs, finding in zip(observations, findings, strict=True):
            Observation.objects.create(
                visit=visit,
                term=obs["term"],
                measurements={k: v for k, v in obs.items() if k != "term"},
                computed_grade=finding.grade,
                final_grade=finding.grade,
                provisional=finding.provisional,
            )
    return JsonResponse({"id": visit.pk}, status=201)
