"""Time and SQL queries per Observation of a FHIR lab import, small vs large Bundle (not a test).

Runs against a throwaway PostgreSQL database (evaluations captured rather than
run on commit: the import's own cost) and imports one Bundle of `--small` and
one of `--large` Observations through interop.fhir_in.import_bundle, each for
20 patients, five Observations per visit (two blood-pressure panels, weight,
urine protein/creatinine ratio, urine dipstick). Goal: the same time and the
same number of queries per Observation for both sizes.

    python -m bench.fhir_import [--small 1000 --large 10000]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from bench._support import bench_database, seed_clinic

DB = "tracker_bench_fhir"
PATIENTS = 20


def bundle(mrns: list[str], size: int, tag: str) -> dict:
    from tests.interop import fhir

    now = datetime.now(UTC)
    resources = []
    visit = 0
    while len(resources) < size:
        mrn = mrns[visit % len(mrns)]
        when = now - timedelta(days=25) + timedelta(minutes=visit)
        ids = [f"{tag}-{visit}-{i}" for i in range(5)]
        resources += [
            fhir.blood_pressure(132, 84, mrn=mrn, at=when, id=ids[0]),
            fhir.blood_pressure(128, 82, mrn=mrn, at=when, id=ids[1]),
            fhir.lab("29463-7", 69.5, "kg", mrn=mrn, at=when, id=ids[2]),
            fhir.lab("2890-2", 0.4, "g/g", mrn=mrn, at=when, id=ids[3]),
            fhir.dipstick("trace", mrn=mrn, at=when, id=ids[4]),
        ]
        visit += 1
    return fhir.bundle(*resources[:size], identifier=tag)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    args = parser.parse_args()
    with bench_database(DB):
        from django.db import connection

        from interop import fhir_in
        from toxicity.services import visits

        _, oncologist, _, courses = seed_clinic(PATIENTS)
        site = courses[0].patient.site
        mrns = [c.patient.mrn for c in courses]
        visits.queue_evaluation = lambda visit_id: None  # the import's own cost
        rows = []
        for size, tag in ((args.small, "small"), (args.large, "large")):
            payload = bundle(mrns, size, tag)
            counted = [0]

            def count(execute, sql, params, many, context, counted=counted):
                counted[0] += 1
                return execute(sql, params, many, context)

            started = time.perf_counter()
            with connection.execute_wrapper(count):
                result = fhir_in.import_bundle(actor=oncologist, site=site, payload=payload)
            elapsed = time.perf_counter() - started
            assert result.status == 201, result.outcome()
            rows.append((size, elapsed, counted[0]))
        for size, elapsed, queries in rows:
            print(
                f"{size:6d} Observations: {elapsed:7.2f} s, {1000 * elapsed / size:6.3f} ms "
                f"and {queries / size:5.2f} queries per Observation"
            )
        (small, t_small, q_small), (large, t_large, q_large) = rows
        print(
            f"large/small per Observation: time {(t_large / large) / (t_small / small):.2f}, "
            f"queries {(q_large / large) / (q_small / small):.2f}"
        )


if __name__ == "__main__":
    main()
