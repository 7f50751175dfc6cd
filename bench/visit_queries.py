"""Queries per visit create and per evaluation, for 2 vs 200 earlier visits (not a test).

Runs against a throwaway PostgreSQL database (tasks eager, evaluations captured
rather than run on commit) and prints the number of SQL queries that
toxicity.services.visits.log_visit and toxicity.services.evaluation.evaluate_visit issue for a
patient with a short and a long history. Goal: the same number for both.

    python -m bench.visit_queries [--long 200]
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from bench._support import bench_database, seed_clinic

DB = "tracker_bench_queries"
GRADE_3 = [{"term": "hypertension", "readings": [[166, 102], [162, 100]]}]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", type=int, default=200)
    args = parser.parse_args()
    with bench_database(DB):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from toxicity.services import evaluation, visits

        nurse, _, _, courses = seed_clinic(2)
        now = datetime.now(UTC)

        def log(course, when):
            return visits.log_visit(
                actor=nurse,
                course=course,
                occurred_at=when,
                observations=[*GRADE_3, {"term": "fatigue", "grade": 1}],
                antihypertensive_therapy="optimal",
            )

        rows = []
        for course, history in zip(courses, (2, args.long), strict=True):
            for i in range(history):
                log(course, now - timedelta(days=20, minutes=i))
            queue = visits.queue_evaluation
            visits.queue_evaluation = lambda visit_id: None  # count the save alone
            try:
                with CaptureQueriesContext(connection) as created:
                    visit = log(course, now - timedelta(minutes=1))
            finally:
                visits.queue_evaluation = queue
            with CaptureQueriesContext(connection) as evaluated:
                evaluation.evaluate_visit(visit.pk)
            rows.append((history, len(created), len(evaluated)))
        for history, create_q, eval_q in rows:
            print(
                f"{history:4d} earlier visits: {create_q:3d} queries per visit create "
                f"(save only), {eval_q:3d} per evaluation"
            )


if __name__ == "__main__":
    main()
