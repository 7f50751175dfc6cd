"""Clinical events become alerts: this app decides, notifications routes and delivers.

Every function here is idempotent (each alert has a dedupe key), so calling it
again, from a retried task or an overlapping sweep, emails nobody twice.
notifications.services.raise_alert is given the course, the record the alert is
about, the words and the severity; it knows no toxicity model.

- `alerts_for_evaluation(visit or recommendation or visit id)`: called by
  toxicity.services.evaluation.evaluate_visit once an evaluation commits.
  A grade >= 3 observation raises an urgent alert for its term's episode, with
  the engine's recommendation as the advice; a later grade <= 1 for the term ends
  the episode. A pending recommendation to withhold or discontinue raises its
  own urgent alert, unless a new grade >= 3 alert of the same visit already
  carries it (one email, not two, about one visit).
- `alerts_for_pending_recommendations()`: beat; a recommendation pending longer
  than ALERT_RECOMMENDATION_PENDING_HOURS goes into the oncologist's digest.
- `alerts_for_overdue_checks()`: beat; a monitoring check the toxicity sweep
  marked overdue goes into the nurse team's digest.
- `acknowledge_alerts_answered_by(recommendation)`: a signed decision acknowledges
  the grade >= 3 and recommendation alerts of its course up to its visit.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from notifications import services
from notifications.emails import TrackerText
from notifications.models import Alert, AlertKind, Severity
from toxicity.ctcae.terms import TERMS
from toxicity.models import (
    Action,
    DueCheck,
    Observation,
    Recommendation,
    RecommendationStatus,
    Visit,
)

log = logging.getLogger(__name__)

ALERT_GRADE = 3  # CTCAE v5.0 grade 3: severe or medically significant
EPISODE_OVER_GRADE = 1  # graded 1 or less again: the toxicity has settled
URGENT_ACTIONS = (Action.WITHHOLD, Action.DISCONTINUE)
# What a signed decision answers: the findings and recommendations that asked for it.
ANSWERED_BY_DECISION = (
    AlertKind.HIGH_GRADE,
    AlertKind.RECOMMENDATION,
    AlertKind.RECOMMENDATION_PENDING,
)


def _term_name(key: str) -> str:
    term = TERMS.get(key)
    return term.name if term is not None else key.replace("_", " ").capitalize()


def _advice(recommendation: Recommendation | None, drug: str) -> str:
    if recommendation is None:
        return ""
    action = recommendation.get_action_display().lower()
    dose = f"{recommendation.dose_mg_per_day:g} mg/day"
    if recommendation.action == Action.WITHHOLD:
        text = f"Withhold {drug}"
        if recommendation.resume_dose_mg_per_day is not None:
            text += f"; on recovery resume at {recommendation.resume_dose_mg_per_day:g} mg/day"
    elif recommendation.action in (Action.REDUCE, Action.RESUME):
        text = f"{action.capitalize()} {drug} to {dose}"
    elif recommendation.action == Action.DISCONTINUE:
        text = f"Discontinue {drug}"
    else:
        text = f"Continue {drug} at {dose}; the engine asks for review"
    if recommendation.rule_set_signoff_id is None:
        # The pharmacist's sign-off (toxicity.signoff): the email says what the inbox says.
        text += "; rule set not yet signed off at this site"
    return TrackerText(f"{text} (engine recommendation; review and sign it in the tracker).")


def _visit_of(recommendation_or_visit) -> Visit | None:
    if isinstance(recommendation_or_visit, Recommendation):
        visit_id = recommendation_or_visit.visit_id
    elif isinstance(recommendation_or_visit, Visit):
        visit_id = recommendation_or_visit.pk
    else:
        visit_id = int(recommendation_or_visit)
    return Visit.objects.select_related("course__patient").filter(pk=visit_id).first()


def alerts_for_evaluation(recommendation_or_visit) -> list[Alert]:
    visit = _visit_of(recommendation_or_visit)
    if visit is None or visit.evaluated_at is None:
        return []
    course = visit.course
    drug = course.drug
    recommendation = (
        Recommendation.objects.filter(
            visit=visit, visit_revision=visit.revision, status=RecommendationStatus.PENDING
        )
        .order_by("-severity", "id")
        .first()
    )
    advice = _advice(recommendation, drug)
    when = timezone.localtime(visit.occurred_at).strftime("%d %b %Y")
    newest = not Visit.objects.filter(course=course, occurred_at__gt=visit.occurred_at).exists()
    alerts, new_high_grade = [], False
    for observation in visit.observations.all():
        grade = observation.final_grade
        if grade is None:
            continue
        if grade >= ALERT_GRADE:
            key = f"observation:{observation.pk}:rev{visit.revision}:grade{grade}"
            alert = _raise_or_log(
                kind=AlertKind.HIGH_GRADE,
                severity=Severity.URGENT,
                course=course,
                about=observation,
                dedupe_key=key,
                summary=TrackerText(
                    f"{_term_name(observation.term)}: CTCAE grade {grade} at the visit of {when}."
                ),
                episode_term=observation.term,
                grade=grade,
                recommended_action=advice,
            )
            if alert is not None:
                new_high_grade |= alert.dedupe_key == key
                alerts.append(alert)
        elif grade <= EPISODE_OVER_GRADE and newest:
            services.end_episode(course=course, term=observation.term)
    if (
        recommendation is not None
        and recommendation.action in URGENT_ACTIONS
        and not new_high_grade
    ):
        alert = _raise_or_log(
            kind=AlertKind.RECOMMENDATION,
            severity=Severity.URGENT,
            course=course,
            about=recommendation,
            dedupe_key=f"recommendation:{recommendation.pk}",
            summary=TrackerText(
                f"The tracker recommends to {recommendation.get_action_display().lower()}"
                f" {drug} after the visit of {when}."
            ),
            recommended_action=advice,
        )
        if alert is not None:
            alerts.append(alert)
    return alerts


def _raise_or_log(**alert) -> Alert | None:
    """One alert that cannot be raised must not take the visit's other alerts with it
    (the one left is the fallback: a withhold alert when the grade alert failed)."""
    try:
        return services.raise_alert(**alert)
    except Exception:
        log.exception("Alert %s could not be raised", alert["dedupe_key"])
        return None


def alerts_for_pending_recommendations(*, limit: int = 500) -> int:
    cutoff = timezone.now() - timedelta(hours=settings.ALERT_RECOMMENDATION_PENDING_HOURS)
    pending = Recommendation.objects.filter(
        status=RecommendationStatus.PENDING, created_at__lte=cutoff
    ).select_related("course__patient", "visit")[:limit]
    count = 0
    for recommendation in pending:
        days = (timezone.now() - recommendation.created_at).days
        try:
            services.raise_alert(
                kind=AlertKind.RECOMMENDATION_PENDING,
                severity=Severity.ROUTINE,
                course=recommendation.course,
                about=recommendation,
                dedupe_key=f"recommendation-pending:{recommendation.pk}",
                summary=TrackerText(
                    f"A recommendation to {recommendation.get_action_display().lower()} "
                    f"{recommendation.course.drug} has waited {max(days, 1)} day(s) for a "
                    "decision."
                ),
                recommended_action=_advice(recommendation, recommendation.course.drug),
            )
        except Exception:
            # One recommendation's failure must not keep the others from their reminder.
            log.exception("Pending reminder for recommendation %s failed", recommendation.pk)
            continue
        count += 1
    return count


def alerts_for_overdue_checks(*, within: timedelta = timedelta(days=2), limit: int = 500) -> int:
    """Checks marked overdue recently and still not done; each raises one digest item."""
    since = timezone.now() - within
    checks = (
        DueCheck.objects.filter(overdue_marked_at__gte=since, satisfied_at__isnull=True)
        .select_related("course__patient")
        .order_by("overdue_marked_at", "id")[:limit]
    )
    count = 0
    for check in checks:
        due = timezone.localtime(check.due_at).strftime("%d %b %Y")
        services.raise_alert(
            kind=AlertKind.MONITORING_OVERDUE,
            severity=Severity.ROUTINE,
            course=check.course,
            about=check,
            dedupe_key=f"due-check:{check.pk}",
            summary=TrackerText(
                f"{check.get_kind_display()} check on {check.course.drug} was due on {due} "
                "and has not been recorded."
            ),
            recommended_action=TrackerText("Arrange the check and record it at the next visit."),
        )
        count += 1
    return count


def acknowledge_alerts_answered_by(recommendation: Recommendation, *, actor) -> list[Alert]:
    """The oncologist acted: the alerts the decision answers are acknowledged with it.

    Those are the open grade >= 3 and recommendation alerts of the course about its
    visits up to the decided one (the oncologist signed with them in view), so
    nothing escalates about a toxicity someone has already acted on. Monitoring
    and patient-report alerts stay: a decision does not do the check.
    """
    up_to = recommendation.visit.occurred_at
    course_id = recommendation.course_id
    observations = Observation.objects.filter(
        visit__course_id=course_id, visit__occurred_at__lte=up_to
    ).values("pk")
    recommendations = Recommendation.objects.filter(
        course_id=course_id, visit__occurred_at__lte=up_to
    ).values("pk")
    types = ContentType.objects.get_for_models(Observation, Recommendation)
    answered = Alert.objects.filter(
        Q(about_type=types[Observation], about_id__in=observations)
        | Q(about_type=types[Recommendation], about_id__in=recommendations),
        course_id=course_id,
        kind__in=ANSWERED_BY_DECISION,
        acknowledged_at__isnull=True,
    ).order_by("id")
    text = (
        f"Signed decision on recommendation R{recommendation.pk}: "
        f"{recommendation.get_status_display().lower()} ({recommendation.signature_meaning})"
    )
    return [
        services.acknowledge_alert(
            actor=actor, alert=alert, via="signed decision", acknowledgement=text
        )
        for alert in answered
    ]
