"""Every process knows the email task by name, the web's as well as a worker's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter, as `manage.py runserver` or gunicorn starts: nothing of the
# suite has imported notifications.tasks first.
CHECK = (
    "import django\n"
    "django.setup()\n"
    "from celery import current_app\n"
    "from notifications.services import SEND_DELIVERY\n"
    "assert SEND_DELIVERY in current_app.tasks, sorted(current_app.tasks)\n"
)


def test_a_fresh_web_process_can_queue_the_email_task_by_its_name():
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", CHECK],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
