"""SDTM AE, EX and DS files: read back, and their invariants hold for the demo cohort."""

from __future__ import annotations

import csv
import itertools
import json
import random
from datetime import UTC, datetime

import pyreadstat
import pytest
from django.core.management import call_command

from interop.episodes import ACN_FROM_LEDGER, ACN_ORDER
from interop.models import ExchangeLog
from patients import demo
from patients.models import DoseChange, Patient, Site, SiteMembership
from toxicity import demo as toxicity_demo


@pytest.fixture
def cohort(db, django_capture_on_commit_callbacks):
    demo.seed(patients_per_site=3, password_source=random.Random(3))
    with django_capture_on_commit_callbacks(execute=True):
        toxicity_demo.seed_visits()
    # A site whose ledger holds the drug for a graded term.
    site = (
        Site.objects.filter(patients__courses__dose_changes__kind="hold")
        .distinct()
        .order_by("id")
        .first()
    )
    assert site is not None
    oncologist = SiteMembership.objects.get(site=site, role="oncologist").user
    return site, oncologist


@pytest.fixture
def files(cohort, tmp_path, capsys):
    site, oncologist = cohort
    call_command(
        "export_sdtm", "--site", site.code, "--out", str(tmp_path), "--user", oncologist.username
    )
    capsys.readouterr()
    return tmp_path


def rows(path, domain):
    with (path / f"{domain}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def when(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def test_every_domain_is_written_as_csv_and_xpt_that_read_back_the_same(files):
    for domain in ("ae", "ex", "ds"):
        frame, meta = pyreadstat.read_xport(str(files / f"{domain}.xpt"))
        table = rows(files, domain)
        assert len(frame) == len(table)
        assert list(frame.columns) == list(table[0].keys()) if table else True
        assert meta.table_name == domain.upper()
    assert len(rows(files, "ae")) > 0 and len(rows(files, "ex")) > 0
    assert "AETOXGR" in (files / "define.md").read_text()


def test_dates_parse_and_subjects_are_reference_codes(files, cohort):
    site, _ = cohort
    codes = set(Patient.objects.filter(site=site).values_list("reference_code", flat=True))
    mrns = set(Patient.objects.values_list("mrn", flat=True))
    for domain, fields in {
        "ae": ("AESTDTC", "AEENDTC"),
        "ex": ("EXSTDTC", "EXENDTC"),
        "ds": ("DSSTDTC",),
    }.items():
        for row in rows(files, domain):
            assert row["USUBJID"] in codes
            assert row["USUBJID"] not in mrns
            for field in fields:
                if row[field]:
                    when(row[field])


def test_an_ae_record_that_coincides_with_a_ledger_change_carries_its_aeacn(files, cohort):
    site, _ = cohort
    ae = rows(files, "ae")
    changes = DoseChange.objects.filter(course__patient__site=site).exclude(reason_terms=[])
    checked = 0
    for change in changes:
        expected = ACN_FROM_LEDGER[change.kind]
        if expected is None:
            continue
        for term in change.reason_terms:
            prefix = f"{change.course_id}-{term}-"
            covering = [
                r
                for r in ae
                if r["AEGRPID"].startswith(prefix)
                and when(r["AESTDTC"]) <= change.effective_at
                and (not r["AEENDTC"] or change.effective_at < when(r["AEENDTC"]))
            ]
            for record in covering:
                rank = ACN_ORDER.index(record["AEACN"])
                assert rank <= ACN_ORDER.index(expected), (record, change.kind)
                checked += 1
    assert checked > 0, "the demo cohort has holds for graded terms"


def test_ex_intervals_tile_each_course_without_overlap_or_gap(files, cohort):
    site, _ = cohort
    ex = rows(files, "ex")
    by_course = {}
    for row in ex:
        by_course.setdefault(row["EXGRPID"], []).append(row)
    assert by_course
    for course_id, intervals in by_course.items():
        ledger = list(DoseChange.objects.filter(course_id=course_id).order_by("effective_at", "id"))
        assert when(intervals[0]["EXSTDTC"]) == ledger[0].effective_at.replace(microsecond=0)
        for earlier, later in itertools.pairwise(intervals):
            assert earlier["EXENDTC"] == later["EXSTDTC"]
        last = intervals[-1]
        if ledger[-1].kind in ("discontinue", "complete"):
            assert when(last["EXENDTC"]) == ledger[-1].effective_at.replace(microsecond=0)
        else:
            assert last["EXENDTC"] == ""
        holds = [i for i in intervals if i["EXADJ"].startswith("hold")]
        assert all(float(i["EXDOSE"]) == 0 for i in holds)


def test_the_export_is_in_the_audit_trail(files, cohort):
    site, oncologist = cohort
    log = ExchangeLog.objects.get()
    assert (log.actor, log.action, log.site) == (oncologist, "export_sdtm", site)
    assert log.detail["records"]["AE"] == len(rows(files, "ae"))


def test_a_nurse_is_refused_with_exit_code_2_and_nothing_written(cohort, tmp_path, capsys):
    site, _ = cohort
    nurse = SiteMembership.objects.get(site=site, role="nurse").user
    with pytest.raises(SystemExit) as exit:
        call_command(
            "export_sdtm",
            "--site",
            site.code,
            "--out",
            str(tmp_path / "x"),
            "--user",
            nurse.username,
        )
    assert exit.value.code == 2
    assert "may not" in json.loads(capsys.readouterr().out)["errors"]["detail"]
    assert not (tmp_path / "x").exists()
    assert not ExchangeLog.objects.exists()
