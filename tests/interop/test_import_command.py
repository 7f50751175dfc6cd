"""`manage.py import_fhir FILE --site --user`: the API's import; exit code 2 when refused."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.interop import fhir
from tests.interop.conftest import at
from toxicity.models import Observation, Visit


def run(capsys, path, user, site="ngt"):
    call_command("import_fhir", str(path), "--site", site, "--user", user.username)
    return json.loads(capsys.readouterr().out)


def test_a_bundle_file_is_imported_as_the_named_user(
    oncologist, course, tmp_path, capsys, django_capture_on_commit_callbacks
):
    path = tmp_path / "labs.json"
    labs = fhir.lab("1742-6", 30, "U/L", mrn=course.patient.mrn, at=at(20), high=40)
    path.write_text(json.dumps(fhir.bundle(labs)))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(capsys, path, oncologist)
    assert outcome["issue"][0]["severity"] == "information"
    visit = Visit.objects.get()
    assert visit.recorded_by == oncologist
    assert visit.evaluated_at is not None


def test_a_refused_bundle_exits_2_with_the_outcome_and_stores_nothing(
    oncologist, course, tmp_path, capsys
):
    path = tmp_path / "labs.json"
    path.write_text(
        json.dumps(fhir.bundle(fhir.lab("1742-6", 30, "U/L", mrn="NOBODY", at=at(20), id="n1")))
    )
    with pytest.raises(SystemExit) as exit:
        run(capsys, path, oncologist)
    assert exit.value.code == 2
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["issue"][0]["diagnostics"].startswith("Observation/n1")
    assert not Observation.objects.exists()


def test_a_nurse_is_refused_by_the_command_too(nurse, course, tmp_path, capsys):
    path = tmp_path / "labs.json"
    path.write_text(
        json.dumps(fhir.bundle(fhir.lab("1742-6", 30, "U/L", mrn=course.patient.mrn, at=at(20))))
    )
    with pytest.raises(SystemExit) as exit:
        run(capsys, path, nurse)
    assert exit.value.code == 2
    assert json.loads(capsys.readouterr().out)["issue"][0]["code"] == "forbidden"
    assert not Visit.objects.exists()
