"""The tumour board: a site's list of patients to discuss (any clinician adds one,
with a question) and the meeting's decision per patient, signed by an oncologist
with their password the way a dose decision is (patients.passwords: a wrong password
counts like a failed sign-in, and locks signing after the sign-in limit)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from disease.models import (
    MKI_DRUGS,
    TARGETED_DRUGS,
    BoardDecision,
    BoardEntry,
    BoardEntryStatus,
    BoardOutcome,
)
from disease.services.common import raise_if, require_recorder, required_text
from patients import dosing, limits
from patients import services as patient_services
from patients.access import has_role
from patients.audit import audit
from patients.models import Patient, Role, RuleSet, TreatmentCourse
from patients.passwords import verify_signing_password
from toxicity.services.signatures import sha256_hex, signer_name

SIGNERS = (Role.ONCOLOGIST,)
SIGNATURE_MEANING = "tumour board decision recorded for the meeting"
ALREADY_LISTED = gettext_noop(
    "This patient is already on the tumour-board list with an open question."
)


class AlreadyDecided(Exception):
    """The entry's decision was signed first by someone else."""

    def __init__(self, entry: BoardEntry):
        self.entry = entry
        super().__init__(_("The tumour board's decision for this patient is already signed."))


@transaction.atomic
def add_board_entry(*, actor, patient: Patient, question: str) -> BoardEntry:
    """Puts the patient on the site's list with the question for the meeting."""
    require_recorder(actor, patient.site_id, _("tumour-board entries"))
    errors = limits.text_errors(question=(question, limits.REASON_CHARS))
    question = required_text(errors, "question", question, _("Write the question for the board."))
    if (
        not errors
        and BoardEntry.objects.filter(patient=patient, status=BoardEntryStatus.OPEN).exists()
    ):
        errors["patient"] = _(ALREADY_LISTED)
    raise_if(errors)
    entry = BoardEntry(
        site_id=patient.site_id,
        patient=patient,
        question=question,
        added_by=actor,
        added_at=timezone.now(),
    )
    audit(entry, actor=actor, reason="Added to the tumour-board list")
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError({"patient": _(ALREADY_LISTED)}) from None
    return entry


def signed_content(decision: BoardDecision) -> bytes:
    """The canonical bytes a board decision's signature hash covers."""
    content = {
        "board_entry": decision.entry_id,
        "patient": decision.entry.patient_id,
        "question": decision.entry.question,
        "meeting_on": decision.meeting_on.isoformat(),
        "outcome": decision.outcome,
        "drug": decision.drug,
        "detail": decision.detail,
        "attendees": decision.attendees,
        "reason": decision.reason,
        "signer_id": decision.decided_by_id,
        "signer_name": decision.signer_name,
        "signed_at": decision.decided_at.isoformat(),
        "meaning": decision.signature_meaning,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def signature_is_valid(decision: BoardDecision) -> bool:
    return sha256_hex(signed_content(decision)) == decision.signature_sha256


def _check(entry, meeting_on, outcome, drug, detail, attendees, reason) -> dict[str, str]:
    errors = limits.text_errors(
        attendees=(attendees, limits.REASON_CHARS),
        reason=(reason, limits.REASON_CHARS),
        detail=(detail, limits.NAME_CHARS),
    )
    required_text(errors, "attendees", attendees, _("Name who attended the meeting."))
    required_text(errors, "reason", reason, _("Say why the board decided this."))
    if outcome not in BoardOutcome.values:
        errors["outcome"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(BoardOutcome.values)
        }
    elif outcome == BoardOutcome.OTHER:
        required_text(errors, "detail", detail, _("Say what the board decided."))
    if drug:
        allowed = {
            BoardOutcome.START_MKI: MKI_DRUGS,
            BoardOutcome.START_TARGETED: TARGETED_DRUGS,
        }.get(outcome)
        if allowed is None:
            errors["drug"] = _(
                "A drug is named only when the board starts an MKI or a targeted drug."
            )
        elif drug not in allowed:
            errors["drug"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
    if isinstance(meeting_on, date):
        if meeting_on > timezone.localdate():
            errors["meeting_on"] = _("The meeting date is in the future.")
        elif meeting_on < timezone.localtime(entry.added_at).date():
            errors["meeting_on"] = _("The meeting date is before the patient was listed.")
    else:
        errors["meeting_on"] = _("Give the meeting's date.")
    return errors


def decide_board_entry(
    *,
    actor,
    entry: BoardEntry,
    meeting_on: date,
    outcome: str,
    attendees: str,
    reason: str,
    password: str,
    drug: str = "",
    detail: str = "",
    origin: HttpRequest | None = None,
) -> BoardDecision:
    """The meeting's decision for one listed patient, signed by an oncologist of the site.

    Raises PermissionDenied (not an oncologist there), ValidationError (a field, or
    the wrong password), SigningLocked (too many wrong passwords from `origin`'s
    address) or AlreadyDecided (signed first by someone else). Nothing is stored
    unless everything is right.
    """
    if not has_role(actor, entry.site_id, *SIGNERS):
        raise PermissionDenied(_("Only an oncologist at this site signs the board's decision."))
    raise_if(_check(entry, meeting_on, outcome, drug, detail, attendees, reason))
    if BoardEntry.objects.get(pk=entry.pk).status != BoardEntryStatus.OPEN:
        raise AlreadyDecided(entry)
    verify_signing_password(actor, password, origin=origin)
    with transaction.atomic():
        locked = BoardEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != BoardEntryStatus.OPEN:
            raise AlreadyDecided(locked)
        decision = BoardDecision(
            entry=locked,
            meeting_on=meeting_on,
            outcome=outcome,
            drug=drug or "",
            detail=(detail or "").strip(),
            attendees=attendees.strip(),
            reason=reason.strip(),
            decided_by=actor,
            decided_at=timezone.now(),
            signer_name=signer_name(actor),
            signature_meaning=SIGNATURE_MEANING,
        )
        decision.signature_sha256 = sha256_hex(signed_content(decision))
        audit(decision, actor=actor, reason=f"Signed: {SIGNATURE_MEANING}")
        decision.save()
        locked.status = BoardEntryStatus.DECIDED
        audit(locked, actor=actor, reason="The board's decision was signed")
        locked.save()
    return decision


class CourseAlreadyStarted(Exception):
    """A course was already started from this decision (by this oncologist or another)."""

    def __init__(self, decision: BoardDecision):
        self.decision = decision
        super().__init__(_("A course was already started from this decision."))


def course_drug(decision: BoardDecision) -> str:
    """The MKI a signed "start MKI" decision names, else "": the drugs the tracker has
    dose rules for. A targeted drug's line is not a course here (no dose rules yet)."""
    if decision.outcome == BoardOutcome.START_MKI and decision.drug in MKI_DRUGS:
        return decision.drug
    return ""


def label_starting_dose_mg(drug: str) -> Decimal:
    """The label's starting dose: the top of the drug's ladder (patients/dosing.py)."""
    return Decimal(dosing.DOSE_LADDERS[drug][0])


def next_line_of_therapy(patient: Patient) -> int:
    """One after the patient's highest line so far; 1 for a first course."""
    lines = TreatmentCourse.objects.filter(patient=patient).values_list(
        "line_of_therapy", flat=True
    )
    return max(lines, default=0) + 1


def start_course_from_decision(
    *,
    actor,
    decision: BoardDecision,
    start_date: date,
    starting_dose_mg: Decimal,
    line_of_therapy: int,
    rule_set: str = RuleSet.US_PI,
    off_ladder_justification: str = "",
    concurrent_course_reason: str = "",
) -> TreatmentCourse:
    """Starts the course a signed "start MKI" decision names (patients.services.start_course)
    and links it to the decision, in one transaction, both audited.

    Raises PermissionDenied (not an oncologist of the site), ValidationError (the
    decision names no MKI, the signature does not check, or a course field) or
    CourseAlreadyStarted. Nothing is stored unless everything is right.
    """
    site_id = decision.entry.site_id
    if not has_role(actor, site_id, *patient_services.PRESCRIBERS):
        raise PermissionDenied(_("Your role at this site cannot start a treatment course."))
    with transaction.atomic():
        # Locks the decision: two oncologists starting at once, the second is refused.
        locked = (
            BoardDecision.objects.select_for_update()
            .select_related("entry__patient")
            .get(pk=decision.pk)
        )
        if locked.course_id is not None:
            raise CourseAlreadyStarted(locked)
        drug = course_drug(locked)
        if not drug:
            raise ValidationError(
                {"drug": _("This decision does not start lenvatinib, sorafenib or cabozantinib.")}
            )
        if not signature_is_valid(locked):
            raise ValidationError(
                {"decision": _("The decision's signature does not check: start nothing from it.")}
            )
        course = patient_services.start_course(
            actor=actor,
            patient=locked.entry.patient,
            drug=drug,
            start_date=start_date,
            starting_dose_mg=starting_dose_mg,
            line_of_therapy=line_of_therapy,
            rule_set=rule_set,
            off_ladder_justification=off_ladder_justification,
            concurrent_course_reason=concurrent_course_reason,
        )
        locked.course = course
        audit(locked, actor=actor, reason=f"Course {course.pk} started from the decision")
        locked.save(update_fields=["course"])
    decision.course = course
    return course
