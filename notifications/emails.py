"""Alert emails as template triplets (subject, text body, HTML body).

`build_message` is the one function that renders any triplet; `alert_message`
and `digest_message` only gather the context. Minimum necessary: a patient is
named by their site-local reference code and a link into the app (login
required), never by name, date of birth or MRN; `check_minimum_necessary`
refuses a rendered email that holds any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from patients.models import Patient

TEMPLATES = "notifications/emails"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y")


class IdentifierInEmail(ValueError):
    """A patient identifier would have left the app in an email."""


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
    return [value for value in values if value and len(value.strip()) >= 2]


def _pattern(value: str) -> str:
    # Any run of white space between the words of a name, as templates wrap lines.
    return r"\s+".join(re.escape(word) for word in value.split())


def check_minimum_necessary(
    texts: Iterable[str], patients: Iterable[Patient], *, recipient_name: str = ""
) -> None:
    """Refuses text that holds a patient's MRN, date of birth or full name.

    The recipient's own name (the greeting) is set aside first: a clinician who
    shares a patient's name must still be told.
    """
    identifiers = [value for patient in patients for value in patient_identifiers(patient)]
    for text in texts:
        if recipient_name.strip():
            text = re.sub(_pattern(recipient_name), " ", text, flags=re.IGNORECASE)
        for value in identifiers:
            if re.search(rf"(?<!\w){_pattern(value)}(?!\w)", text, flags=re.IGNORECASE):
                raise IdentifierInEmail(
                    "A patient's name, date of birth or MRN would be sent by email."
                )


def build_message(
    name: str,
    *,
    to: str,
    context: dict,
    patients: Iterable[Patient] = (),
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    """Renders `<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html`."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{TEMPLATES}/{name}-subject.txt", context)
        text = render_to_string(f"{TEMPLATES}/{name}-body.txt", context)
        html = render_to_string(f"{TEMPLATES}/{name}-body.html", context)
    subject = " ".join(subject.split())
    recipient = context.get("recipient")
    check_minimum_necessary(
        (subject, text, html),
        patients,
        recipient_name=recipient.get_full_name() if recipient is not None else "",
    )
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
        headers={
            "Message-ID": f"<alert-digest-{digest.pk}@{_mail_domain()}>",
            "X-Tracker-Digest": str(digest.pk),
        },
    )


def _mail_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else "tracker.invalid"
