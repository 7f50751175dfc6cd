"""Two oncologists signing one tumour-board decision at the same moment: exactly one
signature is stored, the other is told it was signed first (409). A real race on
PostgreSQL: each request on its own connection, both past the password check before
either saves."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from disease.models import BoardDecision
from disease.services import board
from patients.models import Role
from tests.factories import PASSWORD, member
from tests.integration import worker_connections_ended

pytestmark = pytest.mark.integration  # a real race needs PostgreSQL


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("The signing race needs PostgreSQL (TEST_DATABASE_URL).", pytrace=False)


@pytest.mark.django_db(transaction=True)
def test_two_oncologists_signing_at_once_store_one_decision(
    site, nurse, oncologist, patient, monkeypatch
):
    colleague = member(site, Role.ONCOLOGIST, username="oncologist2")
    entry = board.add_board_entry(actor=nurse, patient=patient, question="Start an MKI now?")
    both_verified = threading.Barrier(2, timeout=10)
    verify = board.verify_signing_password

    def verify_then_wait(actor, password, **kwargs):
        verify(actor, password, **kwargs)
        both_verified.wait()  # both requests have passed the open-entry and password checks

    monkeypatch.setattr(board, "verify_signing_password", verify_then_wait)
    answers = {}

    def sign(user, outcome):
        client = APIClient()
        client.force_authenticate(user)
        try:
            answers[user.username] = client.post(
                f"/api/v1/tumour-board/{entry.pk}/decision/",
                {
                    "meeting_on": timezone.localdate().isoformat(),
                    "outcome": outcome,
                    "attendees": "Oncology, surgery, radiology",
                    "reason": "Discussed at the meeting",
                    "password": PASSWORD,
                },
                format="json",
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign, args=(oncologist, "watch")),
        threading.Thread(target=sign, args=(colleague, "trial")),
    ]
    with worker_connections_ended():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert sorted(a.status_code for a in answers.values()) == [201, 409]
    decision = BoardDecision.objects.get()
    winner = next(name for name, a in answers.items() if a.status_code == 201)
    assert decision.decided_by.username == winner
    assert board.signature_is_valid(decision)
