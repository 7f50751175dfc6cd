"""A site's record as CDISC SDTM AE, EX and DS, in CSV and SAS transport (XPT v5).

* AE, log form: one record per grade of a grade episode (interop.episodes),
  grouped by AEGRPID (the episode). AETOXGR is the CTCAE v5.0 grade, AEDECOD
  the CTCAE term and AEPTCD the MedDRA code the term dictionary gives for it
  (toxicity.ctcae.terms; blank where the dictionary has none). AEACN comes from
  the signed dose ledger (interop.episodes.ACN_FROM_LEDGER).
* EX: one record per interval between two ledger entries of a course. A hold is
  a zero-dose interval (EXDOSE 0), so the intervals tile the course from its
  start to its discontinuation or completion with neither overlap nor gap; the
  interval still running has no EXENDTC. EXDOSE is the total daily dose in mg;
  EXADJ is the ledger's reason for a change after the start.
* DS: one record per course that ended: discontinued (DSDECOD "ADVERSE EVENT"
  when the ledger names the terms that caused it, else "PHYSICIAN DECISION") or
  completed ("COMPLETED"), with the ledger's reason as DSTERM. These DSDECOD
  values are from CDISC CT codelist NCOMPLT (C66727), UNCONFIRMED locally.

USUBJID is the patient's site-local reference code: no MRN, name or birth date
leaves in these files. Dates are ISO 8601 in UTC.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from interop.records import PatientRecord, patient_records
from patients.models import Patient, Site
from toxicity.ctcae.terms import TERMS

STUDYID = "MKI-TRACKER"
DS_DECOD = frozenset({"ADVERSE EVENT", "PHYSICIAN DECISION", "COMPLETED"})  # C66727 subset
BATCH = 500  # patients read per batch: bounded memory, a fixed number of queries per batch


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: str  # "Char" or "Num"
    origin: str


AE_VARIABLES = (
    Variable("STUDYID", "Study Identifier", "Char", "constant"),
    Variable("DOMAIN", "Domain Abbreviation", "Char", "constant AE"),
    Variable("USUBJID", "Unique Subject Identifier", "Char", "patient reference code"),
    Variable("AESEQ", "Sequence Number", "Num", "derived, per subject"),
    Variable("AEGRPID", "Group ID", "Char", "course id, term, episode number"),
    Variable("AETERM", "Reported Term for the Adverse Event", "Char", "CTCAE v5.0 term"),
    Variable("AEDECOD", "Dictionary-Derived Term", "Char", "CTCAE v5.0 term (MedDRA LLT name)"),
    Variable("AEPTCD", "Preferred Term Code", "Char", "MedDRA code of the CTCAE term"),
    Variable("AEBODSYS", "Body System or Organ Class", "Char", "CTCAE SOC"),
    Variable("AETOXGR", "Standard Toxicity Grade", "Char", "final grade of the visit"),
    Variable("AEACN", "Action Taken with Study Treatment", "Char", "signed dose ledger"),
    Variable("AESTDTC", "Start Date/Time of Adverse Event", "Char", "visit that gave the grade"),
    Variable("AEENDTC", "End Date/Time of Adverse Event", "Char", "visit that changed it"),
)
EX_VARIABLES = (
    Variable("STUDYID", "Study Identifier", "Char", "constant"),
    Variable("DOMAIN", "Domain Abbreviation", "Char", "constant EX"),
    Variable("USUBJID", "Unique Subject Identifier", "Char", "patient reference code"),
    Variable("EXSEQ", "Sequence Number", "Num", "derived, per subject"),
    Variable("EXGRPID", "Group ID", "Char", "course id"),
    Variable("EXTRT", "Name of Treatment", "Char", "course drug"),
    Variable("EXDOSE", "Dose", "Num", "ledger: total daily dose (0 while held)"),
    Variable("EXDOSU", "Dose Units", "Char", "constant mg"),
    Variable("EXSTDTC", "Start Date/Time of Treatment", "Char", "ledger entry"),
    Variable("EXENDTC", "End Date/Time of Treatment", "Char", "next ledger entry"),
    Variable("EXADJ", "Reason for Dose Adjustment", "Char", "ledger reason"),
)
DS_VARIABLES = (
    Variable("STUDYID", "Study Identifier", "Char", "constant"),
    Variable("DOMAIN", "Domain Abbreviation", "Char", "constant DS"),
    Variable("USUBJID", "Unique Subject Identifier", "Char", "patient reference code"),
    Variable("DSSEQ", "Sequence Number", "Num", "derived, per subject"),
    Variable("DSGRPID", "Group ID", "Char", "course id"),
    Variable("DSTERM", "Reported Term for the Disposition Event", "Char", "ledger reason"),
    Variable("DSDECOD", "Standardized Disposition Term", "Char", "ledger kind and terms"),
    Variable("DSCAT", "Category for Disposition Event", "Char", "constant"),
    Variable("DSSTDTC", "Start Date/Time of Disposition Event", "Char", "ledger entry"),
)
DOMAINS = {"AE": AE_VARIABLES, "EX": EX_VARIABLES, "DS": DS_VARIABLES}


def iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


def _clip(text: str) -> str:
    return text[:200]  # XPT v5 character values hold at most 200 bytes


def ae_rows(record: PatientRecord) -> list[dict]:
    rows = []
    subject = record.patient.reference_code
    for course in record.courses:
        for episode in course.episodes():
            term = TERMS.get(episode.term)
            name = term.name if term else episode.term.replace("_", " ").capitalize()
            for grade in episode.records:
                rows.append(
                    {
                        "STUDYID": STUDYID,
                        "DOMAIN": "AE",
                        "USUBJID": subject,
                        "AEGRPID": f"{course.course.pk}-{episode.term}-{episode.number}"[:200],
                        "AETERM": name,
                        "AEDECOD": name,
                        "AEPTCD": (term.meddra_code or "") if term else "",
                        "AEBODSYS": (term.system_organ_class or "") if term else "",
                        "AETOXGR": str(grade.grade),
                        "AEACN": grade.action,
                        "AESTDTC": iso(grade.start),
                        "AEENDTC": iso(grade.end),
                    }
                )
    rows.sort(key=lambda r: (r["AESTDTC"], r["AEGRPID"]))
    for seq, row in enumerate(rows, 1):
        row["AESEQ"] = seq
    return rows


def ex_rows(record: PatientRecord) -> list[dict]:
    rows = []
    subject = record.patient.reference_code
    for course in record.courses:
        ledger = course.ledger
        for index, change in enumerate(ledger):
            if change.kind in ("discontinue", "complete"):
                break
            following = ledger[index + 1] if index + 1 < len(ledger) else None
            rows.append(
                {
                    "STUDYID": STUDYID,
                    "DOMAIN": "EX",
                    "USUBJID": subject,
                    "EXGRPID": str(course.course.pk),
                    "EXTRT": course.course.drug.upper(),
                    "EXDOSE": change.dose_after_mg,
                    "EXDOSU": "mg",
                    "EXSTDTC": iso(change.effective_at),
                    "EXENDTC": iso(following.effective_at if following else None),
                    "EXADJ": ""
                    if change.kind == "start"
                    else _clip(f"{change.kind}: {change.reason}"),
                }
            )
    for seq, row in enumerate(rows, 1):
        row["EXSEQ"] = seq
    return rows


def ds_rows(record: PatientRecord) -> list[dict]:
    rows = []
    for course in record.courses:
        for change in course.ledger:
            if change.kind == "discontinue":
                decod = "ADVERSE EVENT" if change.reason_terms else "PHYSICIAN DECISION"
            elif change.kind == "complete":
                decod = "COMPLETED"
            else:
                continue
            assert decod in DS_DECOD
            rows.append(
                {
                    "STUDYID": STUDYID,
                    "DOMAIN": "DS",
                    "USUBJID": record.patient.reference_code,
                    "DSGRPID": str(course.course.pk),
                    "DSTERM": _clip(change.reason),
                    "DSDECOD": decod,
                    "DSCAT": "DISPOSITION EVENT",
                    "DSSTDTC": iso(change.effective_at),
                }
            )
    for seq, row in enumerate(rows, 1):
        row["DSSEQ"] = seq
    return rows


BUILDERS = {"AE": ae_rows, "EX": ex_rows, "DS": ds_rows}


def site_rows(site: Site) -> Iterable[tuple[str, list[dict]]]:
    """(domain, rows) per batch of patients, so memory stays bounded."""
    ids = list(Patient.objects.filter(site=site).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        patients = list(Patient.objects.filter(pk__in=ids[start : start + BATCH]).order_by("id"))
        for record in patient_records(patients):
            for domain, build in BUILDERS.items():
                yield domain, build(record)


def write_site(site: Site, out: Path) -> dict[str, int]:
    """Writes ae/ex/ds .csv and .xpt and define.md into `out`; returns rows per domain."""
    # Imported on export only: pandas costs every web and worker process about half a
    # second at start-up, and only this export writes XPT.
    import pandas as pd
    import pyreadstat

    out.mkdir(parents=True, exist_ok=True)
    files = {d: (out / f"{d.lower()}.csv").open("w", newline="", encoding="utf-8") for d in DOMAINS}
    writers = {
        d: csv.DictWriter(files[d], fieldnames=[v.name for v in DOMAINS[d]]) for d in DOMAINS
    }
    for writer in writers.values():
        writer.writeheader()
    counts = dict.fromkeys(DOMAINS, 0)
    try:
        for domain, rows in site_rows(site):
            writers[domain].writerows(rows)
            counts[domain] += len(rows)
    finally:
        for handle in files.values():
            handle.close()
    for domain, variables in DOMAINS.items():
        frame = pd.read_csv(
            out / f"{domain.lower()}.csv",
            dtype={v.name: str for v in variables if v.kind == "Char"},
            keep_default_na=False,
        )
        pyreadstat.write_xport(
            frame,
            str(out / f"{domain.lower()}.xpt"),
            file_label=f"{domain} {STUDYID}"[:40],
            column_labels=[v.label[:40] for v in variables],
            table_name=domain,
            file_format_version=5,
        )
    (out / "define.md").write_text(define_markdown(counts), encoding="utf-8")
    return counts


def define_markdown(counts: dict[str, int]) -> str:
    lines = [
        "# SDTM variables written by the MKI toxicity tracker",
        "",
        "SDTM AE, EX and DS as CSV and SAS transport v5 (`.xpt`). See docs/interoperability.md",
        "for how each value is derived.",
        "",
    ]
    for domain, variables in DOMAINS.items():
        lines += [
            f"## {domain} ({counts.get(domain, 0)} records)",
            "",
            "| Variable | Label | Type | Origin |",
            "|---|---|---|---|",
        ]
        lines += [f"| {v.name} | {v.label} | {v.kind} | {v.origin} |" for v in variables]
        lines.append("")
    return "\n".join(lines)
