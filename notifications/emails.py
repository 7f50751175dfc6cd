"""Alert emails as template triplets (subject, text body, HTML body).

`build_message` is the one function that renders any triplet; `alert_message`
and `digest_message` only gather the context. Minimum necessary: a patient is
named by their site-local reference code and a link into the app (login
required), never by name, date of birth or MRN.

Two guards, each matched to where an identifier could come from:
- Text a caller hands to an alert is searched for the patient's identifiers
  (`redact_identifiers`) unless it is `TrackerText`, composed by the tracker from
  its own vocabulary (term names, drugs, grades, doses, dates), which cannot carry
  one. A search there would fire on coincidences (an MRN "mg" in "mg/day", "2026"
  in a visit date) and cost the patient their alert.
- A rendered email is checked by provenance (`check_rendered_email`): it is
  rendered a second time with the patient's identifiers swapped for canaries, and
  refused if a canary shows, i.e. if the template or its context prints a
  patient's name, MRN or date of birth. Coincidences in the tracker's own words
  and numbers (a URL holding "20", "for 24 hours") never stop an email.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from patients import languages
from patients.models import Patient

TEMPLATES = "notifications/emails"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y")


class IdentifierInEmail(ValueError):
    """A patient identifier would have left the app in an email."""


class TrackerText(str):
    """Text the tracker composed from its own vocabulary (term names, drugs, actions,
    grades, doses, dates, ids): it holds nothing taken from the patient's record, so
    the identifier search does not apply to it."""


def app_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def patient_identifiers(patient: Patient) -> list[str]:
    """What would identify the patient in an email: the MRN, the date of birth in the
    usual formats, and the full name in the orders people write it.

    A surname or given name alone is not searched for: it is too often an ordinary
    word ("May", "Hope") or the treating clinician's own name, and a false match
    would stop an urgent alert from reaching its clinician.
    """
    given, family = patient.given_name.strip(), patient.family_name.strip()
    values = [patient.mrn]
    if given and family:
        values += [f"{given} {family}", f"{family} {given}", f"{family}, {given}"]
    dob = patient.date_of_birth
    if dob:
        values += [dob.strftime(fmt) for fmt in DATE_FORMATS]
        values.append(f"{dob.day}/{dob.month}/{dob.year}")
        values.append(f"{dob.year}年{dob.month}月{dob.day}日")  # as zh-Hans writes dates
    if given and family and _is_cjk(family + given):  # family name first, unspaced
        values.append(f"{family}{given}")
    return [value for value in values if value and len(value.strip()) >= 2]


def _pattern(value: str) -> str:
    # Any run of white space between the words of a name, as templates wrap lines.
    return r"\s+".join(re.escape(word) for word in value.split())


def _is_cjk(value: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" for char in value)


def _identifier_patterns(patients: Iterable[Patient]) -> list[re.Pattern]:
    values = [value for patient in patients for value in patient_identifiers(patient)]
    # Chinese is written without spaces: a Chinese date or name stands between other
    # characters, so only a digit or Latin letter beside it makes it another token.
    return [
        re.compile(
            rf"(?<![0-9A-Za-z]){_pattern(value)}(?![0-9A-Za-z])"
            if _is_cjk(value)
            else rf"(?<!\w){_pattern(value)}(?!\w)",
            re.IGNORECASE,
        )
        for value in values
    ]


def redact_identifiers(text: str, patients: Iterable[Patient], *, placeholder: str) -> str:
    """The text with every patient identifier in it replaced by `placeholder`;
    TrackerText comes back unchanged (see the module docstring)."""
    if isinstance(text, TrackerText):
        return text
    for pattern in _identifier_patterns(patients):
        text = pattern.sub(placeholder, text)
    return text


# Canaries: strings no clinical text holds, and a date whose year is counted.
CANARY_DATE = date(1871, 11, 29)


@contextmanager
def _canaries(patients: list[Patient]) -> Iterator[list[Patient]]:
    """Swaps each patient's identifiers for canaries on the very instances the
    template context reaches, and puts them back."""
    saved = [(p.mrn, p.given_name, p.family_name, p.date_of_birth) for p in patients]
    try:
        for number, patient in enumerate(patients):
            patient.mrn = f"Qzmrncanary{number}q"
            patient.given_name = f"Qzgivencanary{number}q"
            patient.family_name = f"Qzfamilycanary{number}q"
            patient.date_of_birth = CANARY_DATE
        yield patients
    finally:
        for patient, (mrn, given, family, born) in zip(patients, saved, strict=True):
            patient.mrn, patient.given_name, patient.family_name = mrn, given, family
            patient.date_of_birth = born


def check_rendered_email(
    render: Callable[[], tuple[str, ...]], patients: Iterable[Patient]
) -> tuple[str, ...]:
    """Renders the email, and once more with the patients' identifiers swapped for
    canaries; refuses it when a canary shows (the template or its context prints a
    name, MRN or date of birth). Returns the real rendering."""
    patients = list(patients)
    texts = render()
    if not patients:
        return texts
    with _canaries(patients):
        canary_texts = render()
        markers = [
            m
            for patient in patients
            for m in (patient.mrn, patient.given_name, patient.family_name)
        ]
    real, canary = "\n".join(texts), "\n".join(canary_texts)
    year = str(CANARY_DATE.year)
    if any(marker.lower() in canary.lower() for marker in markers) or canary.count(
        year
    ) > real.count(year):
        raise IdentifierInEmail("A patient's name, date of birth or MRN would be sent by email.")
    return texts


def build_message(
    name: str,
    *,
    to: str,
    context: dict,
    patients: Iterable[Patient] = (),
    headers: dict | None = None,
    language: str | None = None,
) -> EmailMultiAlternatives:
    """Renders `<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html` in the
    recipient's language (patients.languages.email_language)."""

    def render() -> tuple[str, str, str]:
        with translation.override(language or settings.LANGUAGE_CODE):
            return tuple(
                render_to_string(f"{TEMPLATES}/{name}-{part}", context)
                for part in ("subject.txt", "body.txt", "body.html")
            )

    subject, text, html = check_rendered_email(render, patients)
    subject = " ".join(subject.split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def alert_message(delivery, *, ack_token: str) -> EmailMultiAlternatives:
    alert = delivery.alert
    patient = alert.course.patient
    context = {
        "alert": alert,
        "reference_code": patient.reference_code,
        "drug": alert.course.get_drug_display(),
        "recipient": delivery.recipient,
        "escalated": delivery.escalation_level > 0,
        "alert_url": app_url(reverse("notifications:alert", args=[alert.pk])),
        "ack_url": app_url(reverse("notifications:acknowledge-link", args=[ack_token])),
        "ack_hours": settings.ALERT_ACK_LINK_HOURS,
    }
    return build_message(
        "alert",
        to=delivery.address,
        context=context,
        patients=[patient],
        language=languages.email_language(delivery.recipient),
        headers={
            # Stable per delivery: a mail client folds a resend after a crash into one.
            "Message-ID": f"<alert-delivery-{delivery.pk}@{_mail_domain()}>",
            "X-Tracker-Delivery": str(delivery.pk),
        },
    )


def digest_message(digest, deliveries) -> EmailMultiAlternatives:
    alerts = [delivery.alert for delivery in deliveries]
    items = [
        {
            "alert": alert,
            "reference_code": alert.course.patient.reference_code,
            "alert_url": app_url(reverse("notifications:alert", args=[alert.pk])),
        }
        for alert in alerts
    ]
    return build_message(
        "digest",
        to=digest.address,
        context={
            "items": items,
            "recipient": digest.recipient,
            "date": digest.local_date,
            "alerts_url": app_url(reverse("notifications:alerts")),
        },
        patients=[alert.course.patient for alert in alerts],
        language=languages.email_language(digest.recipient),
        headers={
            "Message-ID": f"<alert-digest-{digest.pk}@{_mail_domain()}>",
            "X-Tracker-Digest": str(digest.pk),
        },
    )


def _mail_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else "tracker.invalid"
