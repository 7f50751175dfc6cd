"""Benchmark of what a tablet waits for on the patient page (not a test).

Seeds the demo cohort into a throwaway SQLite database, collects the static files
as production does (``collectstatic`` with the configured storage), serves the app
with gunicorn on a free loopback port with DEBUG off (WhiteNoise serves the static
files), signs in as the demo oncologist in Debian's chromium and opens the page of
the patient with the most visits ``--runs`` times, each in a fresh browser context
(an empty cache, as on a tablet's first visit of the day).

Per run:

- JavaScript transferred: the compressed bytes on the wire of every script
  (Resource Timing ``encodedBodySize``, the body as sent, gzip or brotli),
- time to interactive: from navigation start until every chart on the page is
  drawn and the page answers (``data-charts-ready`` set by static/js/charts.js),
  with the HTML's arrival and DOMContentLoaded (the deferred scripts run) beside it
  to show where the time goes, and the machine's load average,
- main-thread busy time (Chrome's TaskDuration and ScriptDuration for the page):
  the work the tablet's CPU does, which a loaded benchmark machine stretches in wall
  time but not in amount.

Prints the median of the runs. Run from the repository root:
``python -m bench.page_load`` (``--runs 5``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # `python bench/page_load.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import BASE_ENV, ROOT, free_port, wait_for_port

MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource")
    .filter(e => e.initiatorType === "script" || e.name.endsWith(".js"));
  return {
    js_bytes: scripts.reduce((n, e) => n + e.encodedBodySize, 0),
    js_decoded_bytes: scripts.reduce((n, e) => n + e.decodedBodySize, 0),
    scripts: scripts.map(e => e.name.split("/").pop()),
    ready_ms: window.__chartsReadyAt - nav.startTime,
    html_ms: nav.responseEnd - nav.startTime,
    dom_ms: nav.domContentLoadedEventEnd - nav.startTime,
  };
}"""
WATCH_READY = """() => {
  new MutationObserver((_, observer) => {
    if (document.body && document.body.hasAttribute("data-charts-ready")) {
      window.__chartsReadyAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-charts-ready"]});
}"""


def _seed(env: dict[str, str]) -> tuple[str, str, int]:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db.models import Count

    from patients import demo
    from patients.models import Patient, Role
    from toxicity import demo as toxicity_demo

    users = demo.seed(patients_per_site=10, seed_value=7)
    toxicity_demo.seed_visits(seed_value=7)
    call_command("collectstatic", interactive=False, verbosity=0)
    patient = (
        Patient.objects.annotate(visits=Count("courses__visits")).order_by("-visits", "pk").first()
    )
    signer = next(
        u for u in users if u.role == Role.ONCOLOGIST.label and u.site == patient.site.name
    )
    return signer.username, signer.password, patient.pk


def _run_browser(port: int, username: str, password: str, patient_id: int, runs: int):
    from playwright.sync_api import sync_playwright

    from tests.tracker.test_browser import CHROMIUM, FLAGS

    base = f"http://127.0.0.1:{port}"
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        # Sign in once; each run gets a fresh context (empty cache) with the session cookie.
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        cookies = context.cookies()
        context.close()
        for _ in range(runs + 1):  # the first run warms the server, not counted
            context = browser.new_context(viewport={"width": 820, "height": 1180})
            context.add_cookies(cookies)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.add_init_script(f"({WATCH_READY})()")
            page.goto(f"{base}/patients/{patient_id}/")
            page.wait_for_selector("body[data-charts-ready]", timeout=60_000)
            result = page.evaluate(MEASURE)
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            # Main-thread busy time of the page (parse, scripts, layout, drawing): what a
            # quiet tablet waits for, much less bent by a loaded machine than wall time.
            result["main_thread_ms"] = metrics["TaskDuration"] * 1000
            result["script_ms"] = metrics["ScriptDuration"] * 1000
            results.append(result)
            context.close()
        browser.close()
    return results[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **BASE_ENV,
            "DATABASE_URL": f"sqlite:///{tmp}/page_load.sqlite3",
            "EMAIL_URL": f"file://{tmp}/mail",
        }
        username, password, patient_id = _seed(env)
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        try:
            wait_for_port(port)
            results = _run_browser(port, username, password, patient_id, args.runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    summary = {
        "runs": len(results),
        "scripts": results[0]["scripts"],
        "js_kb_transferred_median": round(
            statistics.median(r["js_bytes"] for r in results) / 1024, 1
        ),
        "js_kb_decoded_median": round(
            statistics.median(r["js_decoded_bytes"] for r in results) / 1024, 1
        ),
        "time_to_interactive_ms_median": round(statistics.median(r["ready_ms"] for r in results)),
        "time_to_interactive_ms_all": [round(r["ready_ms"]) for r in results],
        # Where the time goes: the page's HTML in, the scripts run, the charts drawn.
        "html_received_ms_median": round(statistics.median(r["html_ms"] for r in results)),
        "dom_content_loaded_ms_median": round(statistics.median(r["dom_ms"] for r in results)),
        "main_thread_busy_ms_median": round(
            statistics.median(r["main_thread_ms"] for r in results)
        ),
        "script_ms_median": round(statistics.median(r["script_ms"] for r in results)),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
