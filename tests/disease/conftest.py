"""The clock and the builders of the disease-course service tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from disease.services import imaging, labs

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.fixture
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def target(label="T1", diameter="30", *, organ="lung", node=False, **extra) -> dict:
    return {
        "label": label,
        "organ": organ,
        "is_lymph_node": node,
        "diameter_mm": None if diameter is None else diameter,
        **extra,
    }


def record_study(actor, patient, on, *targets, baseline=False, non_target="absent", **fields):
    return imaging.record_imaging_study(
        actor=actor,
        patient=patient,
        performed_on=on,
        modality=fields.pop("modality", "ct"),
        targets=list(targets) or [target()],
        non_target=non_target,
        baseline=baseline,
        **fields,
    )


def record_tg(actor, patient, on, tg="2.0", *, antibody="negative", tsh="0.05", assay="assay A"):
    return labs.record_tg_lab(
        actor=actor,
        patient=patient,
        drawn_on=on,
        tg_ng_ml=Decimal(tg),
        anti_tg_antibody=antibody,
        tsh_miu_l=None if tsh is None else Decimal(tsh),
        assay=assay,
    )
