"""The nurses' queue of reports to grade (worklist and triage page), and the alert share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from patients.audit import audit
from reports import criteria, selectors, triage
from reports.models import ReportPolicy, TriageItem
from reports.triage_selectors import reason_words
from tests.factories import PatientFactory
from tests.reports.factories import patient_account, weekly_report
from tracker import views as tracker_views

pytestmark = pytest.mark.django_db

SEVERE = {"diarrhea": {"frequency": 4}}  # composite 3: urgent
QUIET = {"diarrhea": {"frequency": 1}}  # composite 1: nothing


@pytest.fixture
def three_items(account, on_lenvatinib, nurse, site, time_machine):
    """Oldest first: a routine text, an urgent composite, then another urgent one."""
    other = patient_account(nurse, PatientFactory(site=site, family_name="Later"))
    routine = weekly_report(account, QUIET, anything_else="Ankles swollen")
    time_machine.shift(timedelta(hours=1))
    urgent_old = weekly_report(other, SEVERE)
    time_machine.shift(timedelta(hours=1))
    urgent_new = weekly_report(account, SEVERE)
    return [TriageItem.objects.get(report=r) for r in (routine, urgent_old, urgent_new)]


def test_the_queue_puts_urgent_items_first_then_the_oldest(three_items, site):
    routine, urgent_old, urgent_new = three_items
    queue = selectors.triage_queue([site.pk])
    assert [row.item for row in queue] == [urgent_old, urgent_new, routine]


def test_a_graded_item_leaves_the_queue(three_items, site, nurse):
    routine = three_items[0]
    triage.grade_item(actor=nurse, item=routine, grades={}, graded_how="call", note="Called")
    assert routine not in [row.item for row in selectors.triage_queue([site.pk])]


def test_another_sites_items_are_not_on_the_queue(three_items, other_site):
    assert selectors.triage_queue([other_site.pk]) == []


def test_each_row_carries_the_words_reasons_and_trend(account, on_lenvatinib, site, time_machine):
    weekly_report(account, {"diarrhea": {"frequency": 0}})
    time_machine.shift(timedelta(days=7))
    weekly_report(account, SEVERE, anything_else="Worse since Friday")
    (row,) = selectors.triage_queue([site.pk])
    assert row.words == "Worse since Friday"
    assert row.reasons == [
        "diarrhoea composite 3 (not CTCAE)",
        "diarrhoea composite up from 0 to 3",
        "text in 'anything else'",
    ]
    (diarrhoea,) = row.symptoms
    assert (diarrhoea.composite, diarrhoea.earlier, diarrhoea.raised) == (3, [0], True)
    assert row.received_text == "17 Mar 2026, 09:00 UTC"  # a zone named once


def test_the_worklist_shows_the_queue_in_its_order(client, nurse, three_items):
    client.force_login(nurse)
    page = client.get(reverse("tracker:home")).content.decode()
    section = page[page.index('id="triage-queue"') :]
    assert "Patient reports to grade" in section
    positions = [section.index(f'data-item="{item.pk}"') for item in three_items]
    routine, urgent_old, urgent_new = positions
    assert urgent_old < urgent_new < routine
    assert "Ankles swollen" in section
    assert "Received 10 Mar 2026, 09:00 UTC" in section


def test_the_queue_says_when_nobody_was_alerted_for_lack_of_a_course(client, nurse, site):
    account = patient_account(nurse, PatientFactory(site=site))
    weekly_report(account, SEVERE)
    client.force_login(nurse)
    page = client.get(reverse("tracker:home")).content.decode()
    assert "No running treatment course: nobody was alerted." in page


def test_the_share_of_reports_that_raise_an_item_per_site(account, on_lenvatinib, site, nurse):
    for answers in (QUIET, QUIET, SEVERE):
        weekly_report(account, answers)
    (share,) = selectors.alert_share_by_site([site.pk], on_lenvatinib.created_at - timedelta(1))
    assert (share.received, share.raised, share.urgent, share.percent) == (3, 1, 1, "33%")
    assert share.own_policy is False


def test_reports_before_the_period_are_not_counted(account, on_lenvatinib, site, time_machine):
    weekly_report(account, SEVERE)
    time_machine.shift(timedelta(days=30))
    weekly_report(account, QUIET)
    (share,) = selectors.alert_share_by_site([site.pk], on_lenvatinib.created_at + timedelta(1))
    assert (share.received, share.raised) == (1, 0)


def test_the_triage_page_shows_each_sites_share_and_settings(
    client, nurse, site, site_admin, account, on_lenvatinib
):
    policy = ReportPolicy(site=site, alert_composite_grade=2, alert_on_anything_else=False)
    audit(policy, actor=site_admin, reason="Committee")
    policy.save()
    weekly_report(account, {"diarrhea": {"frequency": 3}})  # composite 2: alerts here
    weekly_report(account, QUIET)
    client.force_login(nurse)
    page = client.get(reverse("patient-reports:triage")).content.decode()
    row = page[page.index(f'data-site="{site.code}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="share">50%</td>' in row
    assert "composite ≥ 2; home BP grade ≥ 3; worsening ≥ 2 points" in row
    assert "does not alert" in row


def test_a_site_without_settings_shows_the_defaults(client, nurse, site):
    client.force_login(nurse)
    page = client.get(reverse("patient-reports:triage")).content.decode()
    assert "(defaults)" in page
    assert '<td class="share">–</td>' in page  # no report yet: no share


def _queue_queries(site) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.triage_queue([site.pk])
    return len(queries)


def test_the_queue_reads_in_the_same_queries_however_many_items(
    nurse, site, on_lenvatinib, time_machine
):
    def add_patient_with_two_reports():
        account = patient_account(nurse, PatientFactory(site=site))
        weekly_report(account, QUIET)
        time_machine.shift(timedelta(hours=1))
        weekly_report(account, SEVERE, anything_else="Worse")

    add_patient_with_two_reports()
    one = _queue_queries(site)
    for _ in range(4):
        add_patient_with_two_reports()
    assert len(selectors.triage_queue([site.pk])) == 5
    assert _queue_queries(site) == one


def test_the_worklist_shows_the_first_items_and_links_to_all(
    client, nurse, site, on_lenvatinib, monkeypatch
):
    monkeypatch.setattr(tracker_views, "WORKLIST_TRIAGE_ITEMS", 2)
    for _ in range(3):
        weekly_report(patient_account(nurse, PatientFactory(site=site)), SEVERE)
    client.force_login(nurse)
    page = client.get(reverse("tracker:home")).content.decode()
    assert page.count('class="triage-item') == 2
    assert "3 waiting" in page
    assert "All 3 reports to grade" in page


def test_the_reported_from_home_page_says_which_reports_wait_for_grading(
    client, nurse, account, on_lenvatinib
):
    item = TriageItem.objects.get(report=weekly_report(account, SEVERE))
    client.force_login(nurse)
    page = client.get(reverse("patient-reports:reports", args=[account.patient.pk]))
    assert reverse("patient-reports:triage-item", args=[item.pk]) in page.content.decode()
    assert 'data-triage="open"' in page.content.decode()


def test_a_reason_without_a_title_names_its_item_not_the_catalogue_header():
    reason = {"criterion": criteria.COMPOSITE, "item": "diarrhea", "grade": 3}
    with translation.override("zh-hans"):
        words = reason_words(reason)
    assert words.startswith("diarrhea") and "Content-Type" not in words
