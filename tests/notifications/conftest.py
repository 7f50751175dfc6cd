"""A real SMTP server (aiosmtpd on a free loopback port) and the surroundings of an alert."""

from __future__ import annotations

import email
import socket
import time
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from notifications import services
from notifications.models import AlertKind, CourseRouting, Severity, SiteRouting
from patients import services as patient_services
from patients.models import Role
from tests.factories import member


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage
    accepted_at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class Mailbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self):
        self.received: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message, time.time()))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Starts, stops and restarts on the same port, as a mail relay that goes down."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received

    def recipients(self) -> list[str]:
        return sorted(address for item in self.received for address in item.rcpt_tos)

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are hashed with Argon2 otherwise: seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp_server(settings):
    """The SMTP backend pointed at a real server on loopback (not locmem)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://tracker.example.org"
    yield server
    server.stop()


@pytest.fixture
def course(oncologist, patient):
    return patient_services.start_course(
        actor=oncologist,
        patient=patient,
        drug="lenvatinib",
        start_date=date(2025, 1, 6),
        starting_dose_mg=24,
    )


@pytest.fixture
def on_call(site):
    user = member(site, Role.ONCOLOGIST, username="oncall", first_name="Owen", last_name="Oncall")
    SiteRouting.objects.create(site=site, on_call_oncologist=user)
    return user


@pytest.fixture
def routed(course, oncologist, nurse, site_admin, on_call):
    """Treating oncologist named on the course; an on-call colleague; a nurse; an admin."""
    CourseRouting.objects.create(course=course, treating_oncologist=oncologist)
    return course


@pytest.fixture
def raise_grade3(django_capture_on_commit_callbacks):
    """Raises a grade 3 hypertension alert and runs what was queued on commit."""

    def raise_it(course, *, key="visit:1:hypertension", grade=3, **extra):
        values = {
            "kind": AlertKind.HIGH_GRADE,
            "severity": Severity.URGENT,
            "course": course,
            "about": course,
            "dedupe_key": key,
            "summary": f"Hypertension grade {grade}: BP 172/104 mmHg at today's visit.",
            "episode_term": "hypertension",
            "grade": grade,
            "recommended_action": "Withhold lenvatinib until grade 2 or lower; resume at 20 mg.",
        } | extra
        with django_capture_on_commit_callbacks(execute=True):
            return services.raise_alert(**values)

    return raise_it
