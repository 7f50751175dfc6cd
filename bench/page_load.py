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
- time to interactive, as Lighthouse defines it on the main thread: the end of the
  last long task (50 ms or more, seen by a ``longtask`` PerformanceObserver) before
  5 s without one, counted from the first contentful paint and never before
  DOMContentLoaded or the largest contentful paint; total blocking time and the
  longest task beside it (what a tap can wait for), then where the time goes: the
  server's answer, the HTML's arrival, the paints, DOMContentLoaded and the time
  every chart is drawn (``data-charts-ready``, set by static/js/charts.js), and the
  machine's load average,
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

QUIET_MS = 5000  # Lighthouse's quiet window: 5 s without a long task
# Before any of the page's own scripts: record every long task (a main-thread task of
# 50 ms or more, during which a tap waits), the largest contentful paint, and when
# charts.js says every chart is drawn.
WATCH = """() => {
  window.__longTasks = [];
  window.__lcp = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({type: "longtask", buffered: true});
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__lcp = Math.max(window.__lcp, e.startTime);
  }).observe({type: "largest-contentful-paint", buffered: true});
  new MutationObserver((_, observer) => {
    if (document.body && document.body.hasAttribute("data-charts-ready")) {
      window.__chartsReadyAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-charts-ready"]});
}"""
# True once QUIET_MS have passed since the last long task ended (and since the page's
# first paint): the window that fixes time to interactive has been seen.
QUIET = """() => {
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  if (!fcp) return false;
  const ends = window.__longTasks.map(([s, d]) => s + d);
  return performance.now() - Math.max(fcp.startTime, ...ends) >= QUIET_MS;
}""".replace("QUIET_MS", str(QUIET_MS))
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource")
    .filter(e => e.initiatorType === "script" || e.name.endsWith(".js"));
  const fcp = performance.getEntriesByName("first-contentful-paint")[0].startTime;
  return {
    js_bytes: scripts.reduce((n, e) => n + e.encodedBodySize, 0),
    js_decoded_bytes: scripts.reduce((n, e) => n + e.decodedBodySize, 0),
    scripts: scripts.map(e => e.name.split("/").pop()),
    charts_ms: window.__chartsReadyAt - nav.startTime,
    server_ms: nav.responseStart - nav.requestStart,
    html_ms: nav.responseEnd - nav.startTime,
    dom_ms: nav.domContentLoadedEventEnd - nav.startTime,
    fcp_ms: fcp - nav.startTime,
    lcp_ms: window.__lcp - nav.startTime,
    long_tasks: window.__longTasks.map(([s, d]) => [s - nav.startTime, d]),
  };
}"""


def time_to_interactive(result: dict) -> tuple[float, float]:
    """Lighthouse's definition, on the main thread: from the first contentful paint,
    the end of the last long task before a quiet window of QUIET_MS; never before
    DOMContentLoaded or the largest contentful paint (the record shown). With it,
    total blocking time: what each long task after the first paint held a tap up
    beyond 50 ms. A script that is merely deferred past DOMContentLoaded moves
    neither: its long tasks still count.
    """
    fcp = result["fcp_ms"]
    tti = max(fcp, result["dom_ms"], result["lcp_ms"])
    blocking = 0.0
    for start, duration in sorted(result["long_tasks"]):
        end = start + duration
        if end <= fcp:
            continue
        if start - tti >= QUIET_MS:
            break
        tti = max(tti, end)
        blocking += max(0.0, duration - 50 - max(0.0, fcp - start))
    return tti, blocking


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
            page.add_init_script(f"({WATCH})()")
            page.goto(f"{base}/patients/{patient_id}/")
            page.wait_for_selector("body[data-charts-ready]", state="attached", timeout=60_000)
            page.wait_for_function(QUIET, polling=100, timeout=60_000)
            result = page.evaluate(MEASURE)
            result["tti_ms"], result["tbt_ms"] = time_to_interactive(result)
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

    def med(key: str) -> int:
        return round(statistics.median(r[key] for r in results))

    summary = {
        "runs": len(results),
        "scripts": results[0]["scripts"],
        "js_kb_transferred_median": round(
            statistics.median(r["js_bytes"] for r in results) / 1024, 1
        ),
        "js_kb_decoded_median": round(
            statistics.median(r["js_decoded_bytes"] for r in results) / 1024, 1
        ),
        # Time to interactive: the record painted and the main thread free (see
        # time_to_interactive); beside it what a tap can wait for meanwhile.
        "time_to_interactive_ms_median": med("tti_ms"),
        "time_to_interactive_ms_all": [round(r["tti_ms"]) for r in results],
        "total_blocking_time_ms_median": med("tbt_ms"),
        "longest_task_ms_median": round(
            statistics.median(max((d for _, d in r["long_tasks"]), default=0) for r in results)
        ),
        # Where the time goes: the server's answer, the HTML in, the first and largest
        # paints, the deferred scripts run, every chart drawn.
        "server_ms_median": med("server_ms"),
        "html_received_ms_median": med("html_ms"),
        "first_contentful_paint_ms_median": med("fcp_ms"),
        "largest_contentful_paint_ms_median": med("lcp_ms"),
        "dom_content_loaded_ms_median": med("dom_ms"),
        "charts_drawn_ms_median": med("charts_ms"),
        "charts_drawn_ms_all": [round(r["charts_ms"]) for r in results],
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
