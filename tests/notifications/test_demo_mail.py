"""The embedded default: no broker (tasks run in process on commit), mail to files."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_without_a_broker_alert_emails_land_as_files(
    settings, tmp_path, routed, patient, raise_grade3
):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    alert = raise_grade3(routed)
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    assert written.count("Subject:") == 2
    assert patient.reference_code in written
    assert patient.family_name not in written
    assert set(alert.deliveries.values_list("status", flat=True)) == {"sent"}
