"""Time and peak memory of the SDTM export, 200 vs 2,000 patients (not a test).

Runs against a throwaway PostgreSQL database: two sites, one of `--small` and one
of `--large` patients (tests.tracker.data.bulk_cohort: short ledgers with holds
and reductions, plus `--visits` weekly visits per course with four graded terms),
then times interop.sdtm.write_site for each into a temporary directory, with
tracemalloc's peak of Python allocations. Goal: time per patient about the same
for both sizes, and peak memory bounded by the batch (interop.sdtm.BATCH), not by
the site's size.

    python -m bench.sdtm_export [--small 200 --large 2000 --visits 12]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench._support import bench_database

DB = "tracker_bench_sdtm"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=12)
    args = parser.parse_args()
    with bench_database(DB):
        from interop import sdtm
        from patients.models import Role, TreatmentCourse
        from tests.factories import SiteFactory, member
        from tests.tracker.data import bulk_cohort, bulk_visits

        rows = []
        for size in (args.small, args.large):
            site = SiteFactory()
            oncologist = member(site, Role.ONCOLOGIST, username=f"bench-onc-{size}")
            bulk_cohort(site, oncologist, patients=size)
            for course in TreatmentCourse.objects.filter(patient__site=site):
                bulk_visits(course, oncologist, count=args.visits, grade3_every=5)
            with tempfile.TemporaryDirectory() as out:
                tracemalloc.start()
                started = time.perf_counter()
                counts = sdtm.write_site(site, Path(out))
                elapsed = time.perf_counter() - started
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            rows.append((size, elapsed, peak, counts))
        for size, elapsed, peak, counts in rows:
            print(
                f"{size:5d} patients: {elapsed:6.2f} s ({1000 * elapsed / size:5.1f} ms/patient), "
                f"peak {peak / 2**20:6.1f} MiB, records {counts}"
            )
        (small, t_small, p_small, _), (large, t_large, p_large, _) = rows
        print(
            f"large/small: time per patient {(t_large / large) / (t_small / small):.2f}, "
            f"peak memory {p_large / p_small:.2f}"
        )


if __name__ == "__main__":
    main()
