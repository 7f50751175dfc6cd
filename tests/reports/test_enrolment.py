"""A nurse invites; the patient opens an account with the one-time, expiring code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Invitation, PatientAccount
from tests.reports.factories import PATIENT_PASSWORD

pytestmark = pytest.mark.django_db


def _accept(code, username="cora"):
    return services.accept_invitation(
        code=code, username=username, password=PATIENT_PASSWORD, password2=PATIENT_PASSWORD
    )


def test_the_emailed_link_carries_the_code_and_names_no_patient(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="email", email="cora@example.org")
    services.send_invitation(new)
    (message,) = mail.outbox
    assert message.to == ["cora@example.org"]
    assert new.link in message.body
    assert reverse("reports:accept", args=[new.code]) in new.link
    for identifier in (patient.mrn, patient.family_name, patient.reference_code):
        assert identifier not in message.body and identifier not in message.subject
    assert Invitation.objects.get().sent_at is not None


def test_only_the_digest_of_the_code_is_stored(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    record = Invitation.objects.get()
    assert record.digest == services.digest_of(new.code) != new.code
    stored = " ".join(str(v) for v in Invitation.objects.values().get().values())
    assert new.code not in stored


def test_the_code_opens_an_account_of_that_patient_only(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    account = _accept(new.printed_code.lower())  # typed off the paper, dashes and all
    assert account.patient == patient
    assert account.user.check_password(PATIENT_PASSWORD)
    assert not account.user.memberships.exists()  # no clinical role at any site
    assert Invitation.objects.get().used_at is not None


def test_a_code_works_once(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    _accept(new.code)
    users = get_user_model().objects.count()
    with pytest.raises(ValidationError) as refused:
        _accept(new.code, username="someone-else")
    assert "code" in refused.value.message_dict
    assert get_user_model().objects.count() == users
    assert PatientAccount.objects.count() == 1


def test_an_expired_code_opens_nothing(nurse, patient, settings):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    later = timezone.now() + timedelta(hours=settings.PATIENT_INVITATION_HOURS, seconds=1)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationError):
        _accept(new.code)
    assert not PatientAccount.objects.exists()
    assert Invitation.objects.get().used_at is None


def test_a_newer_invitation_replaces_the_unused_one(nurse, patient):
    first = services.invite(actor=nurse, patient=patient, channel="printed")
    second = services.invite(actor=nurse, patient=patient, channel="printed")
    with pytest.raises(ValidationError):
        _accept(first.code)
    assert _accept(second.code).patient == patient


def test_a_carer_gets_an_account_of_their_own(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed", carer_name="Jo Ashworth")
    account = _accept(new.code, username="jo")
    assert account.is_carer and account.carer_name == "Jo Ashworth"


def test_a_pharmacist_cannot_invite_and_nothing_is_stored(pharmacist, patient):
    with pytest.raises(PermissionDenied):
        services.invite(actor=pharmacist, patient=patient, channel="printed")
    assert not Invitation.objects.exists()


def test_an_emailed_invitation_needs_an_address(nurse, patient):
    with pytest.raises(ValidationError) as refused:
        services.invite(actor=nurse, patient=patient, channel="email", email="not an address")
    assert set(refused.value.message_dict) == {"email"}
    assert not Invitation.objects.exists()


def test_a_weak_password_is_refused_on_its_field(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    with pytest.raises(ValidationError) as refused:
        services.accept_invitation(
            code=new.code, username="cora", password="short", password2="short"
        )
    assert "password" in refused.value.message_dict
    assert not PatientAccount.objects.exists()
    assert Invitation.objects.get().used_at is None


def test_enrolment_is_audited_with_who_and_why(nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    account = _accept(new.code)
    created, used = Invitation.history.order_by("history_id")
    assert created.history_user == nurse and "Invited the patient" in created.history_change_reason
    assert (
        used.history_user == account.user
        and used.history_change_reason == "Used to open an account"
    )
    (opened,) = account.history.all()
    assert opened.history_user == account.user and "invitation" in opened.history_change_reason


def test_the_nurse_invites_from_the_patient_page_and_the_email_goes_out(client, nurse, patient):
    client.force_login(nurse)
    page = client.get(reverse("tracker:patient", args=[patient.pk])).content.decode()
    assert reverse("patient-reports:invite", args=[patient.pk]) in page
    response = client.post(
        reverse("patient-reports:invite", args=[patient.pk]),
        {"channel": "email", "email": "cora@example.org"},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/me/start/\S+/", message.body).group(0)
    assert services.find_invitation(link.rstrip("/").rsplit("/", 1)[-1]) is not None


def test_a_printed_invitation_shows_the_code_once(client, nurse, patient):
    client.force_login(nurse)
    response = client.post(
        reverse("patient-reports:invite", args=[patient.pk]), {"channel": "printed"}
    )
    code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', response.content.decode()).group(1)
    assert services.find_invitation(code) is not None
    assert mail.outbox == []


def test_the_patient_sets_a_password_from_the_link_and_is_signed_in(client, nurse, patient):
    new = services.invite(actor=nurse, patient=patient, channel="printed")
    url = reverse("reports:accept", args=[new.code])
    response = client.post(
        url, {"username": "cora", "password": PATIENT_PASSWORD, "password2": PATIENT_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == reverse("reports:home")
    assert client.get(reverse("reports:home")).status_code == 200
    assert client.get(url).status_code == 404  # used: the link opens nothing now
