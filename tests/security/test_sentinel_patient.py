"""A sentinel patient's name, MRN and date of birth never leave the app.

The whole workflow runs over HTTP for a patient named ZZSENTINEL (given name
ZZSENTINELGIVEN), MRN MRN-ZZ-7731, born 7 July 1931: a nurse registers the patient
(API), an oncologist starts lenvatinib (API), the nurse logs a grade 3 blood
pressure visit on optimal therapy (API); on commit the evaluation task runs, stores
a withhold recommendation and raises the alert, whose emails go to a real SMTP
server (aiosmtpd on loopback); the oncologist opens the email's acknowledge link
(the login page first), signs in, acknowledges, then approves the recommendation
in the inbox with their password (the signature), and opens the patient page and
the printable record. It runs twice: for a clinic in English and for one in Simplified
Chinese, whose emails and pages write dates as 1931年7月7日.

Inspected, and none may hold a sentinel string (case-insensitive: the name, the
MRN, the date of birth as 1931-07-07, 1931/07/07, 19310707, 07/07/1931,
7/7/1931, 07.07.1931, 7 July 1931, 07 July 1931, July 7, 1931 and Jul 7, 1931):

* every log record of every logger at DEBUG (all existing loggers, celery, kombu,
  django, aiosmtpd's mail.log, set to DEBUG and propagating to a capturing handler
  on the root logger): the formatted message with any exception and stack, and
  every attribute of the record (args, extra). The SQL query log
  (django.db.backends) is not among them: Django writes it only with DEBUG on,
  which production settings refuse (check --deploy);
* every email the SMTP server accepted: the raw message (all headers), the
  subject, the text body and the HTML body;
* every Celery task message: in the eager mode the tests run in, the name, args
  and kwargs given to apply_async and the message Celery would put on the broker
  for them (amqp.as_task_v2: headers with argsrepr/kwargsrepr, and the
  JSON-serialized body); with a broker, before_task_publish's body and headers;
* every URL: each path and query string the app was asked for (request_started),
  each redirect Location, and each URL in the emails' bodies.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import pytest
from celery.app.task import Task
from celery.signals import before_task_publish
from django.core.signals import request_started
from django.test import Client
from django.utils import timezone
from kombu.serialization import dumps
from rest_framework.test import APIClient

from config.celery import app as celery_app
from notifications.models import Alert
from tests.factories import PASSWORD, api_token
from tests.notifications.conftest import SmtpServer
from toxicity.models import Recommendation

SENTINELS = (
    "ZZSENTINEL",
    "MRN-ZZ-7731",
    "1931-07-07",
    "1931/07/07",
    "19310707",
    "07/07/1931",
    "7/7/1931",
    "07.07.1931",
    "7 July 1931",
    "07 July 1931",
    "July 7, 1931",
    "Jul 7, 1931",
    "1931年7月7日",
    "1931年07月07日",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
URL = re.compile(r"https?://[^\s\"'<>]+")


def leaks(channel: str, texts) -> list[str]:
    found = []
    for text in texts:
        lowered = str(text).lower()
        for sentinel in SENTINELS:
            if sentinel.lower() in lowered:
                at = lowered.index(sentinel.lower())
                found.append(f"{channel}: {sentinel!r} in …{str(text)[max(0, at - 60) : at + 60]}…")
    return found


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record):
        self.records.append(record)

    def texts(self):
        for record in self.records:
            yield self.format(record)
            yield repr(record.__dict__)
            if record.stack_info:
                yield record.stack_info


@pytest.fixture
def all_logs():
    handler = Everything()
    root = logging.getLogger()
    names = ["celery", "kombu", "django", "django.request", "mail.log", "notifications"]
    loggers = [logging.getLogger(name) for name in names]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
    saved_root = root.level
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.propagate = True
        logger.disabled = False
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved_root)
    for logger, level, propagate, disabled in saved:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


@pytest.fixture
def task_messages(monkeypatch):
    messages: list[str] = []
    original = Task.apply_async

    def recording_apply_async(task, args=None, kwargs=None, **options):
        message = celery_app.amqp.as_task_v2("inspected", task.name, args=args, kwargs=kwargs)
        messages.append(json.dumps({"task": task.name, "args": args, "kwargs": kwargs}))
        messages.append(json.dumps(message.headers, default=str))
        messages.append(dumps(message.body, serializer="json")[2])
        return original(task, args, kwargs, **options)

    def published(body=None, headers=None, **kwargs):  # a real broker: what it is sent
        messages.append(json.dumps({"body": body, "headers": headers}, default=str))

    monkeypatch.setattr(Task, "apply_async", recording_apply_async)
    before_task_publish.connect(published, weak=False)
    yield messages
    before_task_publish.disconnect(published)


@pytest.fixture
def requested_urls():
    urls: list[str] = []

    def record(sender, environ=None, **kwargs):
        query = environ.get("QUERY_STRING", "")
        urls.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))

    request_started.connect(record, weak=False)
    yield urls
    request_started.disconnect(record)


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://tracker.example.org"
    yield server
    server.stop()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en-gb", "zh-hans"])
def test_the_sentinel_patients_identifiers_appear_in_no_log_email_task_or_url(
    site, nurse, oncologist, smtp, all_logs, task_messages, requested_urls, language
):
    site.language = language
    site.save(update_fields=["language"])
    redirects: list[str] = []

    def follow(response):
        if response.has_header("Location"):
            redirects.append(response["Location"])
        return response

    nurse_api, oncologist_api = token_client(nurse), token_client(oncologist)
    created = nurse_api.post(
        "/api/v1/patients/",
        {
            "site": site.pk,
            "mrn": "MRN-ZZ-7731",
            "family_name": "ZZSENTINEL",
            "given_name": "ZZSENTINELGIVEN",
            "date_of_birth": "1931-07-07",
            "sex": "female",
            "histology": "papillary",
            "diagnosis_date": "2019-03-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    patient_id = created.json()["id"]
    course = oncologist_api.post(
        "/api/v1/courses/",
        {
            "patient": patient_id,
            "drug": "lenvatinib",
            "start_date": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "starting_dose_mg": "24.0",
        },
        format="json",
    )
    assert course.status_code == 201, course.content
    visit = nurse_api.post(
        "/api/v1/visits/",
        {
            "course": course.json()["id"],
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "antihypertensive_therapy": "optimal",
            "antihypertensive_stable_since": (timezone.now() - timedelta(days=7)).isoformat(),
            "observations": [{"term": "hypertension", "readings": [[166, 102], [162, 100]]}],
        },
        format="json",
    )
    assert visit.status_code == 201, visit.content

    # The evaluation ran on commit: a withhold recommendation, an alert, its emails.
    recommendation = Recommendation.objects.get(course_id=course.json()["id"])
    assert recommendation.action == "withhold"
    emails = smtp.wait_for(2)
    to_oncologist = next(e for e in emails if oncologist.email in e.rcpt_tos)
    # The emails are in the clinic's language: the Chinese run inspects Chinese emails.
    assert bool(CJK.search(to_oncologist.subject)) == (language == "zh-hans")
    ack_link = next(u for u in URL.findall(to_oncologist.text) if "/alerts/ack/" in u)

    browser = Client()
    path = ack_link.removeprefix("https://tracker.example.org")
    login_page = follow(browser.get(path))
    assert login_page.status_code == 302 and "/accounts/login/" in login_page["Location"]
    signed_in = follow(
        browser.post(
            login_page["Location"],
            {"username": oncologist.username, "password": PASSWORD},
        )
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == path
    assert browser.get(path).status_code == 200
    assert follow(browser.post(path)).status_code == 302
    assert Alert.objects.filter(acknowledged_by=oncologist).exists()
    approved = follow(
        browser.post(
            f"/inbox/{recommendation.pk}/decide/", {"decision": "approve", "password": PASSWORD}
        )
    )
    assert approved.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == "approved"
    assert browser.get(f"/patients/{patient_id}/").status_code == 200
    assert browser.get(f"/patients/{patient_id}/record/").status_code == 200

    # The test saw the channels it inspects, and the patient is the sentinel.
    assert "ZZSENTINEL" in oncologist_api.get(f"/api/v1/patients/{patient_id}/").content.decode()
    assert all_logs.records and len(task_messages) >= 6 and len(emails) >= 2
    assert len(requested_urls) >= 9 and len(redirects) >= 3

    email_texts = []
    email_urls = []
    for received in smtp.received:
        email_texts += [received.message.as_string(), received.subject, received.text]
        email_texts.append(received.html)
        email_urls += URL.findall(received.text) + URL.findall(received.html)
    found = (
        leaks("log", all_logs.texts())
        + leaks("email", email_texts)
        + leaks("celery message", task_messages)
        + leaks("URL", requested_urls + redirects + email_urls)
    )
    assert not found, "\n".join(found)
