"""Benchmark of the oncologist's pages on PostgreSQL (not a test).

Builds, in a throwaway database: one patient with three years of weekly visits
(156 visits, four observations each), and a site of 2,000 patients with their
courses, ledgers, grade 3 visits and overdue checks. Then, server side, for the
patient page, the cohort dashboard and the worklist:

- the view's time (RequestFactory, the view function called directly: access,
  selectors, charts, template; no HTTP, no middleware),
- the time of the same SQL alone: the queries the view issued, captured and
  replayed on the same connection with their rows fetched,
- the query count and the plot JSON size per page.

With ``--patient-reports`` the patient also reported from home for the three years
(a weekly symptom report of three items, two home sittings a day, a missed dose a
week) and every fourth cohort course has a missed dose on each of the last 30 days.

Median of ``--runs`` runs after two warm-ups, and the lowest and highest ratio of
a run's view time to the same run's query time. Goal: each page at most 3x its
queries' time.

With ``--patients 10000 --sites 40`` (network size): a network oncologist with all
the sites, the patients spread evenly over them (``tests.tracker.data.bulk_cohort`` per
site), and the worklist, the patient list and the cohort dashboard measured at 2,000
patients and again once the network has grown to ``--patients``. Goals: each page at
most 3x its queries' time, under 500 KB of HTML, the same query count at both sizes.

With ``--network-db`` as well, the pages are measured on the kept network database
that ``python -m bench.network`` builds (10,000 patients over 40 sites, a million
evaluated visits, recommendations, alerts, due checks): an oncologist with the first
8 sites (about 2,000 patients) and one with all of them, both added inside a
transaction that is rolled back, so the kept database is left as it was. It is
used only when its marker says it holds that network; it is never built from here.

Run from the repository root: ``python -m bench.dashboards`` (PostgreSQL on
127.0.0.1:5432, or BENCH_PG).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/dashboards.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import bench_database

WEEKLY_VISITS_3_YEARS = 156
COHORT_PATIENTS = 2000
NETWORK_FIRST = 2000  # the network is measured at this size, then at --patients


def _seed(patient_reports: bool = False):
    from datetime import date

    from patients.models import Role
    from tests.factories import PatientFactory, SiteFactory, member
    from tests.tracker import data

    site = SiteFactory(name="Bench patient site", code="bps")
    oncologist = member(site, Role.ONCOLOGIST, username="bench-onc")
    nurse = member(site, Role.NURSE, username="bench-nurse")
    patient = PatientFactory(site=site, diagnosis_date=date(2015, 1, 1))
    course = data.start_course(oncologist, patient, days_ago=7 * WEEKLY_VISITS_3_YEARS + 3)
    data.bulk_visits(course, nurse, count=WEEKLY_VISITS_3_YEARS)

    cohort_site = SiteFactory(name="Bench cohort site", code="bcs")
    cohort_doctor = member(cohort_site, Role.ONCOLOGIST, username="bench-cohort")
    cohort = data.bulk_cohort(cohort_site, cohort_doctor, patients=COHORT_PATIENTS)
    if patient_reports:
        from tests.reports.factories import patient_account

        account = patient_account(nurse, patient)
        data.bulk_home_reports(account, weeks=WEEKLY_VISITS_3_YEARS, course=course)
        data.bulk_dose_reports(cohort[::4], days=30)
    return oncologist, patient, cohort_doctor


def _request(path: str, user):
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.user = user
    return request


def _measure(view, path: str, user, runs: int, **kwargs) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_view():
        user.__dict__.pop("_site_roles", None)  # no cache carried between requests
        start = time.perf_counter()
        response = view(_request(path, user), **kwargs)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed, response

    for _ in range(2):
        run_view()
    with CaptureQueriesContext(connection) as captured:
        _, response = run_view()
    statements = [q["sql"] for q in captured.captured_queries]

    def run_queries():
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        return time.perf_counter() - start

    run_queries()
    view_times, query_times = [], []
    for _ in range(runs):  # alternate, so load on the machine hits both alike
        view_times.append(run_view()[0])
        query_times.append(run_queries())
    html = response.content.decode()
    plot_json = 0
    for marker in ('-figure" type="application/json">',):
        for chunk in html.split(marker)[1:]:
            plot_json += len(chunk.split("</script>", 1)[0].encode())
    view_ms = statistics.median(view_times) * 1000
    query_ms = statistics.median(query_times) * 1000
    # Each run times the view and then its queries: the spread of those paired ratios
    # shows how much the machine's load moved the figure during the run.
    pairs = sorted(v / q for v, q in zip(view_times, query_times, strict=True))
    return {
        "queries": len(statements),
        "view_ms": round(view_ms, 1),
        "queries_ms": round(query_ms, 1),
        "ratio": round(view_ms / query_ms, 2),
        "paired_ratio_min_max": [round(pairs[0], 2), round(pairs[-1], 2)],
        "plot_json_kb": round(plot_json / 1024, 1),
        "html_kb": round(len(response.content) / 1024, 1),
    }


def _network_pages(doctor, runs: int, label: str) -> dict:
    from tracker import views

    return {
        f"worklist ({label})": _measure(views.home, "/", doctor, runs),
        f"patient list ({label})": _measure(views.patient_list, "/patients/", doctor, runs),
        f"cohort dashboard ({label})": _measure(views.cohort, "/cohort/", doctor, runs),
    }


def _network(patients: int, sites: int, runs: int) -> None:
    """The three overview pages for one oncologist with every site of a network, at
    NETWORK_FIRST patients and then at ``patients``, the patients spread evenly."""
    with bench_database("tracker_bench_network"):
        from patients.models import Role, SiteMembership
        from tests.factories import SiteFactory, member
        from tests.tracker import data

        network = [
            SiteFactory(name=f"Network site {i + 1:02d}", code=f"net{i + 1:02d}")
            for i in range(sites)
        ]
        doctor = member(network[0], Role.ONCOLOGIST, username="bench-network")
        SiteMembership.objects.bulk_create(
            [SiteMembership(user=doctor, site=site, role=Role.ONCOLOGIST) for site in network[1:]]
        )
        results, seeded, seconds = {}, 0, 0.0
        for size in sorted({min(NETWORK_FIRST, patients), patients}):
            started = time.perf_counter()
            more = size - seeded
            for i, site in enumerate(network):
                count = more // sites + (1 if i < more % sites else 0)
                if count:
                    data.bulk_cohort(site, doctor, patients=count)
            seeded = size
            seconds += time.perf_counter() - started
            results.update(_network_pages(doctor, runs, f"{size} patients, {sites} sites"))
    print(f"seeded in {seconds:.1f} s; median of {runs} runs; Python {sys.version.split()[0]}")
    print(json.dumps(results, indent=2))


NETWORK_FIRST_SITES = 8  # of 40: about 2,000 patients


def _network_db(patients: int, sites: int, runs: int, database: str) -> None:
    """The three pages on bench.network's kept database, for an oncologist with
    NETWORK_FIRST_SITES sites and one with all ``sites``; nothing is left behind."""
    from bench import network

    spec = network.NetworkSpec(patients=patients, sites=sites)
    if not network.holds(database, spec):
        sys.exit(
            f"{database} does not hold {spec}: build it first with python -m bench.network "
            f"--patients {patients} --sites {sites} --database {database}"
        )
    network._setup_django(database)
    from django.db import transaction

    from patients.models import Patient, Role, Site, SiteMembership
    from tests.factories import member

    results = {}
    with transaction.atomic():
        network_sites = list(Site.objects.order_by("id"))
        for count in (NETWORK_FIRST_SITES, len(network_sites)):
            chosen = network_sites[:count]
            doctor = member(chosen[0], Role.ONCOLOGIST, username=f"bench-network-{count}")
            SiteMembership.objects.bulk_create(
                [SiteMembership(user=doctor, site=s, role=Role.ONCOLOGIST) for s in chosen[1:]]
            )
            seen = Patient.objects.filter(site__in=chosen).count()
            results.update(_network_pages(doctor, runs, f"{seen} patients, {count} sites"))
        transaction.set_rollback(True)  # the kept database is left as it was
    python = sys.version.split()[0]
    print(f"bench.network database {database}, {spec}; median of {runs} runs; Python {python}")
    print(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--patient-reports", action="store_true")
    parser.add_argument(
        "--patients", type=int, help="network size: the patients over --sites (e.g. 10000)"
    )
    parser.add_argument("--sites", type=int, default=40, help="network size: sites (40)")
    parser.add_argument(
        "--network-db", action="store_true", help="on bench.network's kept database"
    )
    parser.add_argument("--network-database", default="tracker_network")
    args = parser.parse_args()
    if args.patients and args.network_db:
        _network_db(args.patients, args.sites, args.runs, args.network_database)
        return
    if args.patients:
        _network(args.patients, args.sites, args.runs)
        return
    with bench_database("tracker_bench_dashboards"):
        from tracker import views

        started = time.perf_counter()
        oncologist, patient, cohort_doctor = _seed(args.patient_reports)
        seeded = time.perf_counter() - started
        results = {
            f"patient page ({WEEKLY_VISITS_3_YEARS} weekly visits)": _measure(
                views.patient_detail,
                f"/patients/{patient.pk}/",
                oncologist,
                args.runs,
                patient_id=patient.pk,
            ),
            f"cohort dashboard ({COHORT_PATIENTS} patients)": _measure(
                views.cohort, "/cohort/", cohort_doctor, args.runs
            ),
            f"worklist ({COHORT_PATIENTS} patients)": _measure(
                views.home, "/", cohort_doctor, args.runs
            ),
        }
    print(f"seeded in {seeded:.1f} s; median of {args.runs} runs; Python {sys.version.split()[0]}")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
