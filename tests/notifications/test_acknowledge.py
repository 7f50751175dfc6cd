"""Acknowledging an alert: from the API, from the app, and from the email's one-time link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import services
from notifications.models import Delivery

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(routed, raise_grade3):
    return raise_grade3(routed)


def ack_path(delivery: Delivery) -> str:
    return f"/alerts/ack/{services.ack_token(delivery)}/"


# --- API -------------------------------------------------------------------------------


def test_the_alert_list_shows_the_users_sites_alerts(api, nurse, alert, other_site):
    body = api(nurse).get("/api/v1/alerts/").json()
    assert [row["id"] for row in body["results"]] == [alert.pk]
    assert body["results"][0]["reference_code"] == alert.course.patient.reference_code


def test_an_outsider_sees_no_alerts(api, outsider, alert):
    assert api(outsider).get("/api/v1/alerts/").json()["results"] == []


def test_the_alert_list_can_show_only_open_alerts(api, oncologist, alert):
    services.acknowledge_alert(actor=oncologist, alert=alert)
    assert api(oncologist).get("/api/v1/alerts/?open=1").json()["results"] == []


def test_an_oncologist_acknowledges_through_the_api(api, oncologist, alert):
    with time_machine.travel(NOW, tick=False):
        response = api(oncologist).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["acknowledged_at"] == "2026-03-02T09:00:00Z"
    assert response.json()["acknowledged_by"] == "Olga Oncologist"


def test_an_outsider_acknowledging_gets_404(api, outsider, alert):
    response = api(outsider).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": "Not found."}}
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_missing_alert_gets_the_same_404(api, outsider, alert):
    missing = api(outsider).post("/api/v1/alerts/999999/acknowledge/")
    other = api(outsider).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert (missing.status_code, missing.json()) == (other.status_code, other.json())


def test_an_anonymous_caller_is_refused(api, alert):
    assert api().get("/api/v1/alerts/").status_code == 401


def test_acknowledgement_is_audited_with_who_and_when(oncologist, alert):
    with time_machine.travel(NOW, tick=False):
        services.acknowledge_alert(actor=oncologist, alert=alert)
    record = alert.history.get(history_type="~")
    assert record.history_user == oncologist
    assert record.history_date == NOW
    assert record.history_change_reason == "Acknowledged (app)"


def test_acknowledging_twice_keeps_the_first(oncologist, nurse, alert):
    services.acknowledge_alert(actor=nurse, alert=alert)
    again = services.acknowledge_alert(actor=oncologist, alert=alert)
    assert again.acknowledged_by == nurse
    assert alert.history.count() == 2  # raised, acknowledged


def test_a_user_sets_their_digest_time(api, oncologist):
    response = api(oncologist).put(
        "/api/v1/notification-preference/", {"digest_time": "13:15"}, format="json"
    )
    assert response.json() == {"digest_time": "13:15"}
    assert api(oncologist).get("/api/v1/notification-preference/").json() == {
        "digest_time": "13:15"
    }


# --- Pages -------------------------------------------------------------------------------


def test_the_alert_page_needs_a_sign_in(client, alert):
    response = client.get(f"/alerts/{alert.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_alert_page_shows_who_was_told(client, oncologist, alert):
    client.force_login(oncologist)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Who was told" in page
    assert "Olga Oncologist" in page


def test_the_alert_page_is_404_for_an_outsider(client, outsider, alert):
    client.force_login(outsider)
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404


def test_an_oncologist_acknowledges_from_the_app(client, oncologist, alert):
    client.force_login(oncologist)
    response = client.post(f"/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == oncologist


def test_acknowledging_from_the_app_needs_a_post(client, oncologist, alert):
    client.force_login(oncologist)
    assert client.get(f"/alerts/{alert.pk}/acknowledge/").status_code == 405


def test_an_outsider_cannot_acknowledge_from_the_app(client, outsider, alert):
    client.force_login(outsider)
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_the_alert_list_page_lists_the_alert(client, nurse, alert):
    client.force_login(nurse)
    page = client.get("/alerts/").content.decode()
    assert "BP 172/104 mmHg" in page
    assert alert.course.patient.reference_code in page


# --- The one-time link in the email ------------------------------------------------------


def test_the_emailed_link_leads_to_the_login_page_first(client, smtp_server, routed, raise_grade3):
    raise_grade3(routed)
    received = next(r for r in smtp_server.received if r.rcpt_tos == ["oncologist@example.org"])
    link = re.search(r"https://tracker\.example\.org(/alerts/ack/\S+/)", received.text).group(1)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/alerts/ack/")


def test_after_login_the_link_asks_to_confirm_and_changes_nothing(client, oncologist, alert):
    client.force_login(oncologist)
    delivery = alert.deliveries.get(recipient=oncologist)
    response = client.get(ack_path(delivery))
    assert response.status_code == 200
    assert b"Acknowledge" in response.content
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_confirming_the_link_acknowledges_the_alert(client, oncologist, alert):
    client.force_login(oncologist)
    delivery = alert.deliveries.get(recipient=oncologist)
    response = client.post(ack_path(delivery))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == oncologist
    assert alert.history.first().history_change_reason == "Acknowledged (email link)"


def test_the_link_works_once(client, oncologist, alert):
    client.force_login(oncologist)
    path = ack_path(alert.deliveries.get(recipient=oncologist))
    client.post(path)
    again = client.post(path)
    assert again.status_code == 400
    assert b"already been used" in again.content


def test_someone_elses_link_is_refused(client, nurse, oncologist, alert):
    client.force_login(nurse)
    response = client.post(ack_path(alert.deliveries.get(recipient=oncologist)))
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_expired_link_is_refused(client, oncologist, alert, settings):
    settings.ALERT_ACK_LINK_HOURS = 72
    delivery = alert.deliveries.get(recipient=oncologist)
    with time_machine.travel(NOW, tick=False):
        path = ack_path(delivery)
    client.force_login(oncologist)
    with time_machine.travel(NOW + timedelta(hours=73), tick=False):
        response = client.post(path)
    assert response.status_code == 400
    assert b"expired" in response.content


def test_a_forged_link_is_refused(client, oncologist, alert):
    client.force_login(oncologist)
    path = ack_path(alert.deliveries.get(recipient=oncologist))
    assert client.post(path.replace("/ack/", "/ack/x")).status_code == 400


def test_a_link_of_a_user_who_left_the_site_does_not_acknowledge(client, oncologist, alert):
    oncologist.memberships.all().delete()
    client.force_login(oncologist)
    response = client.post(ack_path(alert.deliveries.get(recipient=oncologist)))
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert alert.deliveries.get(recipient=oncologist).link_used_at is None


def test_a_pharmacist_reads_the_alert_but_cannot_acknowledge_it(api, pharmacist, alert):
    listed = api(pharmacist).get("/api/v1/alerts/").json()["results"]
    assert [row["id"] for row in listed] == [alert.pk]
    response = api(pharmacist).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert alert.escalate_at is not None  # the escalation still stands
