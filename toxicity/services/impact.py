"""The rule-set impact report: every past visit in a scope, under today's rules and a candidate's.

A pharmacist or oncologist asks "what would this change do?" (`new_report`, queued
by toxicity/services/impact_requests.py; the steps are the tasks in toxicity/tasks.py).
The work happens on the workers, never in the request:

1. `plan_report` (a task) counts the visits in scope per course and cuts the
   courses into chunks of about settings.IMPACT_CHUNK_VISITS visits, then sends one task per
   chunk as a Celery group: every worker process of every machine takes chunks.
2. `run_chunk` evaluates its visits twice, as of each visit's dose state (the
   ledger up to the visit, as `evaluate_visit` reads it), and stores the visits
   decided differently in the same transaction that marks the chunk done. A
   worker killed mid-chunk leaves nothing: the message is delivered again and the
   chunk redone; a chunk run twice finds itself done and counts once.
3. The chunk that completes the set says so, and its task queues the final step,
   `finish_report`, which adds up the chunks. (A Celery chord would need a result
   backend, and it counts a chunk delivered again twice; the chunk rows count it once.)

Nothing clinical is written: no visit, recommendation, ledger row or alert.
`cancel_report` stops the chunks not yet started; a running chunk finishes and
is ignored.

Test-only: TRACKER_TEST_IMPACT_CHUNK_DELAY_SECONDS makes a chunk pause inside
its transaction, before it commits, so the integration tests can kill a worker
mid-chunk. Never set it in a deployment.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.models import DoseChange, TreatmentCourse
from toxicity import rules
from toxicity.access import impact_sites, may_view_impact
from toxicity.models import (
    ImpactChunk,
    ImpactDifference,
    ImpactReport,
    ImpactStatus,
    Observation,
    Visit,
)
from toxicity.rule_fingerprint import rule_set_fingerprint
from toxicity.rules import candidate as candidates
from toxicity.rules.engine import (
    DEFAULT_POLICY,
    ENGINE_VERSION,
    CompiledRuleSet,
    compile_rules,
    policy_snapshot,
)
from toxicity.rules.evaluate import InvalidRequest, evaluate
from toxicity.services.request import dose_state_fields, engine_observation

logger = logging.getLogger(__name__)

TEST_DELAY_ENV = "TRACKER_TEST_IMPACT_CHUNK_DELAY_SECONDS"


def _key(drug: str, rule_set: str) -> str:
    return f"{drug}:{rule_set}"


# --- asking ---------------------------------------------------------------------------------


def new_report(
    *,
    actor,
    reason: str,
    candidate: dict[str, Any],
    site_ids: Iterable[int],
    drug: str = "",
    occurred_from: datetime | None = None,
    occurred_before: datetime | None = None,
) -> ImpactReport:
    """Stores the report, to be planned (services/impact_requests.py queues it);
    ValidationError names each bad field, and then nothing is stored."""
    sites = sorted(set(site_ids))
    errors: dict[str, str] = {}
    allowed = set(impact_sites(actor))
    if not allowed:
        raise PermissionDenied(_("Only a pharmacist or an oncologist can run an impact report."))
    if not sites:
        errors["site_ids"] = _("Choose at least one site.")
    elif not set(sites) <= allowed:
        errors["site_ids"] = _(
            "You can include only the sites where you are a pharmacist or an oncologist."
        )
    if not reason.strip():
        errors["reason"] = _("Say what the candidate is for.")
    if drug and drug not in rules.DRUGS:
        errors["drug"] = _("Not a drug the tracker knows.")
    if occurred_from and occurred_before and occurred_from >= occurred_before:
        errors["occurred_before"] = _("The end of the period must come after its start.")
    try:
        parsed = candidates.parse_candidate(candidate, rules.RULE_SETS)
    except candidates.CandidateError as bad:
        errors.update({f"candidate.{path}": message for path, message in bad.errors.items()})
    else:
        if not (parsed.row_changes or parsed.label or parsed.as_data()["policy"]):
            errors["candidate"] = _(
                "The candidate changes nothing: change a row, a policy setting or the label."
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    report = ImpactReport.objects.create(
        requested_by=actor,
        requested_at=now,
        reason=reason.strip(),
        site_ids=sites,
        drug=drug,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
        candidate=parsed.as_data(),
        engine_version=ENGINE_VERSION,
        current_policy=policy_snapshot(DEFAULT_POLICY),
        candidate_policy=policy_snapshot(parsed.policy),
        fingerprints=_fingerprints(parsed, drug),
    )
    logger.info("Impact report %s requested over %d sites.", report.pk, len(sites))
    return report


def _fingerprints(candidate: candidates.Candidate, drug: str) -> dict[str, dict[str, str]]:
    """For each rule set in scope, the version in force and the candidate's."""
    current_policy = policy_snapshot(DEFAULT_POLICY)
    proposed_policy = policy_snapshot(candidate.policy)
    out: dict[str, dict[str, str]] = {}
    for (rs_drug, rule_set), rs in rules.RULE_SETS.items():
        if drug and rs_drug != drug:
            continue
        proposed = _candidate_rules(candidate, rs_drug, rule_set)
        out[_key(rs_drug, rule_set)] = {
            "current": rule_set_fingerprint(
                rs, engine_version=ENGINE_VERSION, policy=current_policy
            ),
            "candidate": rule_set_fingerprint(
                proposed, engine_version=ENGINE_VERSION, policy=proposed_policy
            ),
        }
    return out


def _candidate_rules(candidate: candidates.Candidate, drug: str, rule_set: str) -> rules.RuleSet:
    base = rules.get_rule_set(drug, candidate.label or rule_set)
    return candidates.candidate_rule_set(base, candidate.row_changes)


def cancel_report(*, actor, report: ImpactReport) -> ImpactReport:
    """Stops a running report: the chunks not yet started do nothing."""
    with transaction.atomic():
        report = ImpactReport.objects.select_for_update().get(pk=report.pk)
        if not may_view_impact(actor, report):
            raise PermissionDenied(
                _("Only a pharmacist or an oncologist of its sites can stop it.")
            )
        if not report.is_running:
            raise ValidationError(_("The report is no longer running."))
        report.status = ImpactStatus.CANCELLED
        report.cancelled_by = actor
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "cancelled_by", "finished_at"])
    logger.info("Impact report %s cancelled.", report.pk)
    return report


# --- the scope --------------------------------------------------------------------------------


def _scope(report: ImpactReport, prefix: str = "") -> Q:
    """The visits of the report, as of when it was asked for (later visits are not in it)."""
    p = prefix
    q = Q(**{f"{p}course__patient__site_id__in": report.site_ids}) & Q(
        **{f"{p}recorded_at__lte": report.requested_at}
    )
    if report.drug:
        q &= Q(**{f"{p}course__drug": report.drug})
    if report.occurred_from:
        q &= Q(**{f"{p}occurred_at__gte": report.occurred_from})
    if report.occurred_before:
        q &= Q(**{f"{p}occurred_at__lt": report.occurred_before})
    return q


def plan_report(report_id: int) -> list[int]:
    """Cuts the report into chunks; returns the indexes of the chunks not yet done.

    Planned once: a second delivery of the message plans nothing and returns the
    chunks still to do, to be sent again (a chunk done twice counts once).
    """
    with transaction.atomic():
        report = ImpactReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or not report.is_running:
            return []
        if report.status == ImpactStatus.QUEUED:
            per_course = (
                Visit.objects.filter(_scope(report))
                .values("course_id")
                .annotate(visits=Count("id"))
                .order_by("course_id")
                .values_list("course_id", "visits")
            )
            chunks = _cut(per_course, report)
            ImpactChunk.objects.bulk_create(chunks)
            report.chunk_count = len(chunks)
            report.visits_in_scope = sum(c.planned_visits for c in chunks)
            report.status = ImpactStatus.RUNNING
            report.started_at = timezone.now()
            report.save(update_fields=["chunk_count", "visits_in_scope", "status", "started_at"])
        return list(
            ImpactChunk.objects.filter(report=report, done_at__isnull=True)
            .order_by("index")
            .values_list("index", flat=True)
        )


def _cut(per_course: Iterable[tuple[int, int]], report: ImpactReport) -> list[ImpactChunk]:
    chunks: list[ImpactChunk] = []
    first: int | None = None
    last = 0
    visits = 0
    for course_id, count in per_course:
        if first is None:
            first = course_id
        last = course_id
        visits += count
        if visits >= settings.IMPACT_CHUNK_VISITS:
            chunks.append(_chunk(report, len(chunks), first, last, visits))
            first, visits = None, 0
    if first is not None:
        chunks.append(_chunk(report, len(chunks), first, last, visits))
    return chunks


def _chunk(report: ImpactReport, index: int, first: int, last: int, visits: int) -> ImpactChunk:
    return ImpactChunk(
        report=report,
        index=index,
        first_course_id=first,
        last_course_id=last,
        planned_visits=visits,
    )


# --- a chunk -------------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    evaluated: int = 0
    not_evaluable: int = 0
    differences: list[ImpactDifference] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return dict(Counter(d.kind for d in self.differences))


def run_chunk(report_id: int, index: int) -> bool:
    """Evaluates one chunk, once; True when every chunk of the report is now done
    (the report is then to be finished: `finish_report`)."""
    chunk = (
        ImpactChunk.objects.select_related("report")
        .filter(report_id=report_id, index=index)
        .first()
    )
    if chunk is None or chunk.report.status != ImpactStatus.RUNNING:
        return False  # cancelled, failed or finished
    if chunk.done_at is not None:
        return _all_done(report_id)  # delivered again after it was done
    report = chunk.report
    started = time.process_time()
    result = evaluate_chunk(report, chunk)
    with transaction.atomic():
        locked = ImpactChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.done_at is not None:
            return False  # another delivery of the same chunk finished first: it tells
        ImpactDifference.objects.bulk_create(result.differences, batch_size=1000)
        locked.done_at = timezone.now()
        locked.visits_evaluated = result.evaluated
        locked.visits_not_evaluable = result.not_evaluable
        locked.visits_changed = len(result.differences)
        locked.summary = result.summary
        locked.save(
            update_fields=[
                "done_at",
                "visits_evaluated",
                "visits_not_evaluable",
                "visits_changed",
                "summary",
            ]
        )
        # Chunks finish one at a time here, so exactly one of them sees the set complete.
        ImpactReport.objects.select_for_update().filter(pk=report_id).values("pk").get()
        complete = _all_done(report_id)
        if os.environ.get(TEST_DELAY_ENV):
            time.sleep(float(os.environ[TEST_DELAY_ENV]))
    logger.info(
        "Impact report %s chunk %s: %d visits in %.2f s CPU.",
        report_id,
        index,
        result.evaluated,
        time.process_time() - started,
    )
    return complete


def _all_done(report_id: int) -> bool:
    return not ImpactChunk.objects.filter(report_id=report_id, done_at__isnull=True).exists()


def evaluate_chunk(report: ImpactReport, chunk: ImpactChunk) -> ChunkResult:
    """The chunk's visits under the rules in force and the candidate; reads only."""
    candidate = candidates.parse_candidate(report.candidate, rules.RULE_SETS)
    courses = {
        course.pk: course
        for course in TreatmentCourse.objects.filter(
            pk__gte=chunk.first_course_id, pk__lte=chunk.last_course_id
        ).only("id", "drug", "rule_set", "patient_id")
    }
    in_chunk = Q(course_id__gte=chunk.first_course_id, course_id__lte=chunk.last_course_id)
    visits = (
        Visit.objects.filter(_scope(report), in_chunk)
        .order_by("course_id", "occurred_at", "id")
        .values_list("id", "course_id", "occurred_at", "revision")
    )
    observations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for visit_id, term, measurements, grade in (
        Observation.objects.filter(
            _scope(report, "visit__"),
            visit__course_id__gte=chunk.first_course_id,
            visit__course_id__lte=chunk.last_course_id,
        )
        .order_by("visit_id", "term")
        .values_list("visit_id", "term", "measurements", "clinician_grade")
    ):
        observations[visit_id].append(engine_observation(term, measurements, grade))
    ledgers: dict[int, list[DoseChange]] = defaultdict(list)
    for change in DoseChange.objects.filter(
        course_id__gte=chunk.first_course_id, course_id__lte=chunk.last_course_id
    ).order_by("course_id", "effective_at", "id"):
        ledgers[change.course_id].append(change)
    judge = _Judge(candidate)
    result = ChunkResult()
    states: dict[tuple[int, int], tuple[dict, str]] = {}
    for visit_id, course_id, occurred_at, revision in visits:
        course = courses[course_id]
        ledger = ledgers[course_id]
        known = sum(1 for c in ledger if c.effective_at <= occurred_at)
        state = states.get((course_id, known))
        if state is None:
            fields, why_not, _state = dose_state_fields(course, ledger[:known])
            state = states[(course_id, known)] = (fields, why_not)
        fields, why_not = state
        if why_not:
            result.not_evaluable += 1
            continue
        request = {**fields, "observations": observations.get(visit_id, [])}
        current, proposed = judge.both(request, course)
        result.evaluated += 1
        if not current.same_decision(proposed):
            result.differences.append(
                ImpactDifference(
                    report_id=report.pk,
                    chunk_index=chunk.index,
                    visit_id=visit_id,
                    visit_revision=revision,
                    course_id=course_id,
                    patient_id=course.patient_id,
                    drug=course.drug,
                    occurred_at=occurred_at,
                    kind=candidates.change_kind(current, proposed),
                    current=asdict(current),
                    proposed=asdict(proposed),
                )
            )
    return result


class _Judge:
    """One request under the rules in force and under the candidate."""

    def __init__(self, candidate: candidates.Candidate):
        self.candidate = candidate
        self.compiled: dict[tuple[str, str], CompiledRuleSet] = {}

    def _rules(self, drug: str, rule_set: str) -> CompiledRuleSet:
        key = (drug, rule_set)
        if key not in self.compiled:
            self.compiled[key] = compile_rules(_candidate_rules(self.candidate, drug, rule_set))
        return self.compiled[key]

    def both(self, request: dict, course: TreatmentCourse):
        current = _outcome(request, DEFAULT_POLICY, None)
        label = self.candidate.label
        proposed_request = request if not label else {**request, "rule_set": label}
        proposed = _outcome(
            proposed_request,
            self.candidate.policy,
            self._rules(course.drug, proposed_request["rule_set"]),
        )
        return current, proposed


def _outcome(request: dict, policy, compiled: CompiledRuleSet | None) -> candidates.Outcome:
    try:
        return candidates.outcome_of(evaluate(request, policy=policy, rules=compiled))
    except InvalidRequest:
        return candidates.outcome_of(None)


# --- the end -------------------------------------------------------------------------------


def finish_report(report_id: int) -> bool:
    """Adds up the chunks once every one is done; True when this call finished the report."""
    with transaction.atomic():
        report = ImpactReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != ImpactStatus.RUNNING:
            return False
        chunks = list(ImpactChunk.objects.filter(report=report))
        if any(c.done_at is None for c in chunks):
            return False
        summary: Counter[str] = Counter()
        for chunk in chunks:
            summary.update(chunk.summary)
        report.visits_evaluated = sum(c.visits_evaluated for c in chunks)
        report.visits_not_evaluable = sum(c.visits_not_evaluable for c in chunks)
        report.visits_changed = sum(c.visits_changed for c in chunks)
        report.patients_changed = (
            ImpactDifference.objects.filter(report=report).values("patient_id").distinct().count()
        )
        report.summary = dict(summary.most_common())
        report.status = ImpactStatus.DONE
        report.finished_at = timezone.now()
        report.save()
    logger.info("Impact report %s done: %d visits.", report_id, report.visits_evaluated)
    return True


def fail_report(report_id: int, error: BaseException) -> None:
    """A chunk that cannot be evaluated stops the report, naming the error's kind only."""
    ImpactReport.objects.filter(pk=report_id, status=ImpactStatus.RUNNING).update(
        status=ImpactStatus.FAILED,
        failure=type(error).__name__[:200],
        finished_at=timezone.now(),
    )
