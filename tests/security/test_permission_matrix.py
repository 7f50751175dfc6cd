"""Every URL pattern x every role x every HTTP method its view accepts, against a table.

The table (MATRIX) is the expected answer of each (URL name, method) for each role:
anonymous, a user of another site (an oncologist there: the most privileged
outsider), the site's admin, nurse, pharmacist and oncologist, and a patient account
of the site's patient (reports: it gets 404 on every clinical page and 403 from the
API, and reaches only its own pages under /me/). URL arguments
are real objects of the site (a patient, course, visit, recommendation, alert, the
oncologist's acknowledge link, and a rule set with an unconfirmed row); write
requests carry a valid body, so a refusal is the role's and not the input's. Roles
run in the order of ROLES, writers last, so a successful write cannot change what a
later role is refused.

Walking the resolver skips only Django admin's internals under admin/ (the
model pages of the staff-only admin; the tracker's users are not staff, and the
admin guards those pages itself) and static-file serving (WhiteNoise answers
before URL resolution, and no static URL pattern exists with DEBUG off). The admin
login has a row. A new URL pattern without a row fails
test_every_url_pattern_has_a_row, naming the pattern.

Matrix size: 87 URL patterns, 130 (URL, method) pairs, x 7 roles = 910 requests.
"""

from __future__ import annotations

import inspect
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from disease.models import DiseaseStatus
from disease.services.board import add_board_entry
from disease.services.imaging import record_imaging_study
from patients.models import Patient
from tests.factories import PASSWORD, PatientFactory, api_token
from toxicity import signoff
from toxicity.api import EXAMPLE
from toxicity.models import ImpactReport, ImpactStatus, Visit

ROLES = ("anonymous", "outsider", "site_admin", "nurse", "pharmacist", "oncologist", "patient")
SIGNED_IN = ROLES[1:]
CLINICIANS = ("site_admin", "nurse", "pharmacist", "oncologist")
LOGIN = "login page"  # 302 to /accounts/login/?next=...
PATIENT_LOGIN = "patient login page"  # 302 to /me/sign-in/?next=...

# Views whose accepted methods cannot be read from the view (no decorator, no class):
# declared here, from reading the view.
DECLARED_METHODS = {
    "tracker:home": {"GET"},
    "tracker:patient": {"GET"},
    "tracker:patients": {"GET"},
    "tracker:cohort": {"GET"},
    "tracker:inbox": {"GET"},
    "tracker:visit-new": {"GET", "POST"},
    "admin:login": {"GET", "POST"},
}


def _all(status, **others):
    """The same answer for every signed-in clinician; a patient account gets 404 unless
    named (reports.access.PatientAccountBoundary)."""
    return (
        dict.fromkeys(SIGNED_IN, status)
        | {"patient": 404}
        | {role.replace("-", "_"): value for role, value in others.items()}
    )


def page(status=200, *, outsider=404, **roles):
    """A login-required page about an object of the site; ``roles`` name the exceptions."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"no such role: {unknown}"
    row = {"anonymous": LOGIN, "outsider": outsider}
    for role in CLINICIANS:
        row[role] = roles.get(role, status)
    row["patient"] = roles.get("patient", 404)  # a clinical page: never the patient's
    return row


def api(status=200, *, outsider=404, **roles):
    # A patient account is refused by the API's default permission, however it signs in.
    return page(status, outsider=outsider, **{"patient": 403, **roles}) | {"anonymous": 401}


def patient_page(status=200):
    """A patient's own page (/me/): the patient account only; clinicians get 404."""
    return {"anonymous": PATIENT_LOGIN, "patient": status} | dict.fromkeys(
        ("outsider", *CLINICIANS), 404
    )


# A site administrator's work is memberships and alert routing in /admin/: every page
# and endpoint of patients' records answers them 403 (patients.access.CLINICAL_ROLES).
MATRIX: dict[str, dict[str, dict[str, int | str]]] = {
    # --- pages -----------------------------------------------------------------------
    # The outsider's own site's worklist; a site administrator is sent to the admin.
    "tracker:home": {"GET": page(outsider=200, site_admin=302)},
    "tracker:patients": {"GET": page(outsider=200, site_admin=403)},
    "tracker:cohort": {"GET": page(outsider=200, site_admin=403)},
    "tracker:inbox": {"GET": page(outsider=200, site_admin=403)},
    "tracker:patient": {"GET": page(site_admin=403)},
    "tracker:record": {"GET": page(site_admin=403)},
    "tracker:decide": {"POST": page(302, site_admin=403, nurse=403, pharmacist=403)},
    "tracker:visit-new": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(site_admin=403, pharmacist=403),  # an empty form is shown again
    },
    "tracker:visit-preview": {"POST": page(site_admin=403, pharmacist=403)},
    # The CTCAE dictionary's grades of one term: no patient in it, for every member.
    "tracker:term-grades": {"GET": _all(200) | {"anonymous": LOGIN}},
    # The pharmacist's sign-off: every member of the site reads; only the pharmacist writes.
    "tracker:rules": {"GET": page(outsider=200)},  # the outsider's own site's rule sets
    "tracker:translation-review": {"GET": page(outsider=200)},  # one list for every site
    "tracker:rule-set": {"GET": page()},
    "tracker:rule-confirm": {"POST": page(403, pharmacist=302)},
    "tracker:rule-signoff": {"POST": page(403, pharmacist=302)},
    # Impact reports list patients' visits: the pharmacists and oncologists of every site
    # in a report's scope read it; others get 404, as for a report that does not exist.
    "tracker:impact-reports": {"GET": page(outsider=200)},  # only the reports one may read
    "tracker:impact-new": {
        "GET": page(403, outsider=200, pharmacist=200, oncologist=200),
        # The outsider cannot choose the world's site: the form says so.
        "POST": page(403, outsider=400, pharmacist=302, oncologist=302),
    },
    "tracker:impact-report": {"GET": page(404, pharmacist=200, oncologist=200)},
    "tracker:impact-csv": {"GET": page(404, pharmacist=200, oncologist=200)},
    # The world's report is done: cancelling it is refused with a message on the page.
    "tracker:impact-cancel": {"POST": page(404, pharmacist=302, oncologist=302)},
    "notifications:alerts": {"GET": page(outsider=200, site_admin=403)},
    "notifications:alert": {"GET": page(site_admin=403)},
    # Acknowledging an urgent clinical alert stops its escalation: nurses and oncologists.
    "notifications:acknowledge": {"POST": page(302, site_admin=403, pharmacist=403)},
    # The link was sent to the oncologist; anyone else is refused, whatever their site.
    "notifications:acknowledge-link": {
        "GET": page(400, outsider=400, oncologist=200),
        "POST": page(400, outsider=400, oncologist=302),
    },
    # The tumour board's pages: every clinician of the site reads; nurses and
    # oncologists add a patient (the outsider, to their own site's list); only an
    # oncologist signs the decision (an empty form is shown again) and starts a course
    # from it (the world's entry is still open: sent back to it).
    "board:list": {"GET": page(outsider=200, site_admin=403)},
    "board:add": {
        "GET": page(outsider=200, site_admin=403, pharmacist=403),
        "POST": page(400, outsider=400, site_admin=403, pharmacist=403),
    },
    "board:entry": {
        "GET": page(site_admin=403),
        "POST": page(400, site_admin=403, nurse=403, pharmacist=403),
    },
    "board:start-course": {
        "GET": page(302, site_admin=403, nurse=403, pharmacist=403),
        "POST": page(302, site_admin=403, nurse=403, pharmacist=403),
    },
    # --- accounts ------------------------------------------------------------------
    "login": {
        "GET": _all(302) | {"anonymous": 200},  # signed in: on to the worklist
        "POST": _all(302) | {"anonymous": 200},  # empty form: shown again
        "PUT": _all(302) | {"anonymous": 200},  # Django's FormView treats PUT as POST
    },
    "logout": {"POST": _all(302) | {"anonymous": 302, "patient": 302}},
    # One's own password: signed in; an empty form is shown again with its errors.
    "password_change": {
        "GET": _all(200) | {"anonymous": LOGIN},
        "POST": _all(200) | {"anonymous": LOGIN},
        "PUT": _all(200) | {"anonymous": LOGIN},
    },
    "password_change_done": {"GET": _all(200) | {"anonymous": LOGIN}},
    # One's own language; a patient account chooses on its own pages.
    "language": {
        "GET": _all(200) | {"anonymous": LOGIN},
        "POST": _all(302) | {"anonymous": LOGIN},
    },
    # The reset is for whoever forgot: no sign-in, and the same answer for anyone.
    "password_reset": {
        "GET": _all(200) | {"anonymous": 200},
        "POST": _all(200) | {"anonymous": 200},
        "PUT": _all(200) | {"anonymous": 200},
    },
    "password_reset_done": {"GET": _all(200) | {"anonymous": 200}},
    "password_reset_confirm": {  # a made-up token: "this link is not valid"
        "GET": _all(200) | {"anonymous": 200},
        "POST": _all(200) | {"anonymous": 200},
        "PUT": _all(200) | {"anonymous": 200},
    },
    "password_reset_complete": {"GET": _all(200) | {"anonymous": 200}},
    # Unlocking a colleague's sign-in: the site administrator's.
    "locked-users": {"GET": _all(403, site_admin=200) | {"anonymous": LOGIN}},
    "unlock-user": {"POST": _all(403, site_admin=302, outsider=403) | {"anonymous": LOGIN}},
    "admin:login": {  # nobody here is staff: the form is shown, no admin page opens
        "GET": _all(200) | {"anonymous": 200},
        "POST": _all(200) | {"anonymous": 200},
    },
    # --- API -----------------------------------------------------------------------
    "api-patients": {
        "GET": api(outsider=200, site_admin=403),
        "POST": api(201, site_admin=403, pharmacist=403),  # outsider: not their site -> 404
    },
    "api-patient": {"GET": api(site_admin=403), "PATCH": api(site_admin=403, pharmacist=403)},
    "api-courses": {
        "GET": api(outsider=200, site_admin=403),
        "POST": api(201, site_admin=403, nurse=403, pharmacist=403),
    },
    "api-course": {"GET": api(site_admin=403)},
    "api-dose-changes": {
        "GET": api(site_admin=403),
        "POST": api(201, site_admin=403, nurse=403, pharmacist=403),
    },
    "api-alerts": {"GET": api(outsider=200, site_admin=403)},
    "api-alert-acknowledge": {"POST": api(site_admin=403, pharmacist=403)},
    "api-notification-preference": {"GET": api(outsider=200), "PUT": api(outsider=200)},
    "api-evaluate": {"POST": api(outsider=200)},  # stateless: no patient data
    "api-visits": {
        "GET": api(outsider=200, site_admin=403),
        "POST": api(201, site_admin=403, pharmacist=403),
    },
    "api-visit": {"GET": api(site_admin=403), "PATCH": api(site_admin=403, pharmacist=403)},
    "api-recommendations": {"GET": api(outsider=200, site_admin=403)},
    "api-recommendation": {"GET": api(site_admin=403)},
    "api-recommendation-decision": {"POST": api(site_admin=403, nurse=403, pharmacist=403)},
    # FHIR exchange: oncologists by default (INTEROP_ROLES); an import records visits;
    # the outsider's "no such site" is 404.
    "api-fhir-bundle": {"POST": api(201, site_admin=403, nurse=403, pharmacist=403)},
    "api-fhir-patient-everything": {"GET": api(site_admin=403, nurse=403, pharmacist=403)},
    # The disease course (disease/api.py): every clinician of the site reads; nurses and
    # oncologists record; only an oncologist signs the tumour board's decision.
    "api-disease-status": {
        "GET": api(site_admin=403),
        "PUT": api(site_admin=403, pharmacist=403),
    },
    "api-disease-course": {"GET": api(site_admin=403)},
    "api-imaging-studies": {
        "GET": api(site_admin=403),
        "POST": api(201, site_admin=403, pharmacist=403),
    },
    "api-imaging-study": {"GET": api(site_admin=403)},
    "api-tg-labs": {
        "GET": api(site_admin=403),
        "POST": api(201, site_admin=403, pharmacist=403),
    },
    # The outsider's own site's list; a patient of another site is "no such patient".
    "api-board-entries": {
        "GET": api(outsider=200, site_admin=403),
        "POST": api(201, site_admin=403, pharmacist=403),
    },
    "api-board-entry": {"GET": api(site_admin=403)},
    "api-board-decision": {"POST": api(201, site_admin=403, nurse=403, pharmacist=403)},
    "api-schema": {"GET": api(outsider=200)},
    # The disease course's pages (disease/views.py): every clinician of the site reads;
    # nurses and oncologists record (a valid form is saved and sent to the course page).
    "disease:course": {"GET": page(site_admin=403)},
    "disease:status": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(302, site_admin=403, pharmacist=403),
    },
    "disease:imaging-new": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(302, site_admin=403, pharmacist=403),
    },
    "disease:tg-new": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(302, site_admin=403, pharmacist=403),
    },
    "api-docs": {"GET": api(outsider=200)},
    # --- patients reporting from home (reports) ----------------------------------------
    # The patients' sign-in and code pages are for anyone (a clinician's sign-in is
    # refused by the form); a made-up code opens nothing.
    "reports:sign-in": {
        "GET": _all(200, patient=200) | {"anonymous": 200},
        "POST": _all(200, patient=200) | {"anonymous": 200},  # empty form: shown again
        "PUT": _all(200, patient=200) | {"anonymous": 200},
    },
    "reports:enter-code": {
        "GET": _all(200, patient=200) | {"anonymous": 200},
        "POST": _all(200, patient=200) | {"anonymous": 200},  # no code: shown again
    },
    "reports:accept": {
        "GET": _all(404, patient=404) | {"anonymous": 404},
        "POST": _all(404, patient=404) | {"anonymous": 404},
    },
    "reports:home": {"GET": patient_page()},
    "reports:weekly": {"GET": patient_page(), "POST": patient_page(302)},
    "reports:blood-pressure": {"GET": patient_page(), "POST": patient_page(302)},
    "reports:bp-import": {"GET": patient_page(), "POST": patient_page(302)},
    "reports:doses": {"GET": patient_page(), "POST": patient_page(302)},
    "reports:report": {"GET": patient_page()},
    "reports:reminders": {"GET": patient_page(), "POST": patient_page(302)},
    "reports:language": {"GET": patient_page(), "POST": patient_page(302)},
    # The stop link in a reminder email works without signing in (its token is the
    # proof): the same page for anyone who holds the link; the button stops, again.
    "reports:reminders-stop": {
        "GET": _all(200, patient=200) | {"anonymous": 200},
        "POST": _all(200, patient=200) | {"anonymous": 200},
    },
    # The clinic's side: inviting is the nurse's and oncologist's; reading, every clinician's.
    "patient-reports:invite": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(site_admin=403, pharmacist=403),  # a printed code is shown
    },
    "patient-reports:reports": {"GET": page(site_admin=403)},
    # Who sends the weekly report, per site: every clinician of their own sites.
    "patient-reports:completion": {"GET": page(outsider=200, site_admin=403)},
    # Triage: the queue and alert figures for every clinician of the user's sites; grading
    # is the nurse's and oncologist's (the nurse grades first; the oncologist then finds
    # it graded and is sent back to the item, nothing changed).
    "patient-reports:triage": {"GET": page(outsider=200, site_admin=403)},
    "patient-reports:triage-item": {
        "GET": page(site_admin=403, pharmacist=403),
        "POST": page(302, site_admin=403, pharmacist=403),
    },
}


# --- the URL configuration --------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """(name, route, callback) of every URL pattern, recursively."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = namespace + entry.name if entry.name else prefix + str(entry.pattern)
            yield name, prefix + str(entry.pattern), entry.callback


def covered_patterns():
    for name, route, callback in url_patterns():
        # Django admin's internals: staff-only model pages; only its login faces users.
        if route.startswith("admin/") and name != "admin:login":
            continue
        yield name, route, callback


def accepted_methods(callback) -> set[str] | None:
    """The HTTP methods a view answers, read from the view; None if it cannot tell."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return {
            method.upper()
            for method in view_class.http_method_names
            if method not in ("head", "options", "trace") and hasattr(view_class, method)
        }
    function = callback
    while function is not None:
        try:
            nonlocals = inspect.getclosurevars(function).nonlocals
        except TypeError:
            nonlocals = {}
        if "request_method_list" in nonlocals:  # require_POST, require_safe, ...
            return set(nonlocals["request_method_list"]) - {"HEAD", "OPTIONS"}
        function = getattr(function, "__wrapped__", None)
    return None


def test_every_url_pattern_has_a_row():
    missing = sorted(
        f"{name} ({route})" for name, route, _ in covered_patterns() if name not in MATRIX
    )
    assert not missing, f"URL patterns without a row in MATRIX: {', '.join(missing)}"


def test_every_row_is_a_url_pattern():
    names = {name for name, _, _ in covered_patterns()}
    assert not sorted(set(MATRIX) - names), "rows for URL patterns that no longer exist"


def test_each_row_lists_exactly_the_methods_its_view_accepts():
    wrong = []
    for name, _, callback in covered_patterns():
        methods = accepted_methods(callback) or DECLARED_METHODS.get(name)
        if methods is None:
            wrong.append(f"{name}: the view's methods cannot be read; declare them")
        elif set(MATRIX.get(name, {})) != methods:
            wrong.append(f"{name}: view accepts {sorted(methods)}, row has {sorted(MATRIX[name])}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_size_is_as_documented():
    pairs = sum(len(methods) for methods in MATRIX.values())
    assert (len(MATRIX), pairs, pairs * len(ROLES)) == (87, 130, 910)


# --- requests ---------------------------------------------------------------------

_mrns = count(1)
_days = count(1)


def url_for(name: str, world) -> str:
    rule_set = [world.patient.site_id, *world.rule_set]
    arguments = {
        "tracker:rule-set": rule_set,
        "tracker:rule-confirm": rule_set,
        "tracker:rule-signoff": rule_set,
        "tracker:impact-report": [world.impact_report.pk],
        "tracker:impact-csv": [world.impact_report.pk],
        "tracker:impact-cancel": [world.impact_report.pk],
        "tracker:patient": [world.patient.pk],
        "tracker:record": [world.patient.pk],
        "tracker:decide": [world.recommendation.pk],
        "tracker:visit-new": [world.patient.pk],
        "tracker:visit-preview": [world.patient.pk],
        "tracker:term-grades": ["stroke"],
        "notifications:alert": [world.alert.pk],
        "notifications:acknowledge": [world.alert.pk],
        "notifications:acknowledge-link": [world.ack_token],
        "api-patient": [world.patient.pk],
        "api-course": [world.course.pk],
        "api-dose-changes": [world.course.pk],
        "api-alert-acknowledge": [world.alert.pk],
        "api-visit": [world.visit.pk],
        "api-recommendation": [world.recommendation.pk],
        "api-recommendation-decision": [world.recommendation.pk],
        "api-fhir-patient-everything": [world.patient.pk],
        "api-disease-status": [world.patient.pk],
        "api-disease-course": [world.patient.pk],
        "api-imaging-studies": [world.patient.pk],
        "api-imaging-study": [world.imaging_study.pk],
        "api-tg-labs": [world.patient.pk],
        "api-board-entry": [world.board_entry.pk],
        "api-board-decision": [world.board_entry.pk],
        "disease:course": [world.patient.pk],
        "disease:status": [world.patient.pk],
        "disease:imaging-new": [world.patient.pk],
        "disease:tg-new": [world.patient.pk],
        "board:entry": [world.board_entry.pk],
        "board:start-course": [world.board_entry.pk],
        "password_reset_confirm": ["MQ", "not-a-real-token"],
        "unlock-user": [world.users["nurse"].memberships.get().pk],
        "reports:accept": ["NOTAREALCODE2345"],
        "reports:report": [world.patient_report.pk],
        "reports:reminders-stop": [world.reminder_stop_token],
        "patient-reports:invite": [world.patient.pk],
        "patient-reports:reports": [world.patient.pk],
        "patient-reports:triage-item": [world.triage_item.pk],
    }
    url = reverse(name, args=arguments.get(name, []))
    if name == "api-fhir-bundle":
        url += f"?site={world.patient.site.code}"
    return url


def disease_body(name: str, method: str, world) -> dict | None:
    """The disease course's bodies, built only for the cell that sends one: each write
    takes a day of its own (a study, a lab) or another patient (a board question)."""
    today = timezone.localdate()
    bodies = {
        ("api-disease-status", "PUT"): lambda: {
            "reason": "Clinic review",
            "on_active_surveillance": True,
            "surveillance_since": (today - timedelta(days=30)).isoformat(),
            "imaging_interval_months": 6,
            "version": DiseaseStatus.objects.filter(patient=world.patient)
            .values_list("version", flat=True)
            .first(),
        },
        ("api-imaging-studies", "POST"): lambda: {
            # A follow-up of the world's baseline, on a day of its own.
            "performed_on": (
                world.imaging_study.performed_on + timedelta(days=next(_days))
            ).isoformat(),
            "baseline": False,
            "modality": "ct",
            "targets": [{"label": "T1", "organ": "lung", "diameter_mm": "30.0"}],
            "non_target": "absent",
        },
        ("api-tg-labs", "POST"): lambda: {
            "drawn_on": (today - timedelta(days=next(_days))).isoformat(),
            "tg_ng_ml": "2.5",
            "anti_tg_antibody": "negative",
            "tsh_miu_l": "0.05",
            "assay": "matrix assay",
        },
        # Another patient of the site each time: a patient is listed once while open.
        ("api-board-entries", "POST"): lambda: {
            "patient": PatientFactory(site=world.patient.site).pk,
            "question": "Start an MKI now?",
        },
        # The pages' forms, as a browser posts them.
        ("disease:status", "POST"): lambda: {
            "reason": "Clinic review",
            "on_active_surveillance": "on",
            "surveillance_since": (today - timedelta(days=30)).isoformat(),
            "imaging_interval_months": "6",
            "version": DiseaseStatus.objects.filter(patient=world.patient)
            .values_list("version", flat=True)
            .first()
            or "",
        },
        ("disease:imaging-new", "POST"): lambda: {
            "performed_on": (
                world.imaging_study.performed_on + timedelta(days=next(_days))
            ).isoformat(),
            "kind": "follow_up",
            "modality": "ct",
            "non_target": "absent",
            "new_lesions": "0",
            "t1_label": "T1",
            "t1_organ": "lung",
            "t1_kind": "lesion",
            "t1_diameter_mm": "30.0",
        },
        ("disease:tg-new", "POST"): lambda: {
            "drawn_on": (today - timedelta(days=next(_days))).isoformat(),
            "tg_ng_ml": "2.5",
            "anti_tg_antibody": "negative",
            "tsh_miu_l": "0.05",
            "assay": "matrix assay",
        },
        ("api-board-decision", "POST"): lambda: {
            "meeting_on": today.isoformat(),
            "outcome": "watch",
            "attendees": "Oncology, surgery, radiology",
            "reason": "Stable disease",
            "password": PASSWORD,
        },
    }
    build = bodies.get((name, method))
    return None if build is None else build()


def body_for(name: str, method: str, world) -> dict:
    disease = disease_body(name, method, world)
    if disease is not None:
        return disease
    an_hour_ago = timezone.now() - timedelta(hours=1)
    bodies = {
        ("tracker:decide", "POST"): {"decision": "approve", "password": PASSWORD},
        ("language", "POST"): {"language": "en-gb"},
        ("tracker:rule-confirm", "POST"): {
            "rule_id": world.unconfirmed_rule_id,
            "label_section": "LENVIMA PI section 2.6 (matrix)",
            "checked_on": timezone.localdate().isoformat(),
        },
        ("tracker:rule-signoff", "POST"): {
            "fingerprint": signoff.current_fingerprint(*world.rule_set),
            "password": PASSWORD,
        },
        ("tracker:impact-new", "POST"): {
            "reason": "Matrix",
            "sites": [world.patient.site_id],
            "policy_default_rule_set": "us_pi",
            "policy_reduction_levels_per_hold": "1",
            "policy_lowest_dose": "discontinue_with_review",
            "policy_lowest_dose_discontinuation_needs_review": "true",
            "policy_single_bp_reading_provisional": "false",
            "policy_proteinuria_resume_below_g_24h": "2.0",
            "policy_review_dose_change_on_provisional_grade": "true",
            "policy_missing_baseline": "provisional_with_review",
        },
        ("tracker:visit-preview", "POST"): {
            "occurred_at": timezone.localtime(an_hour_ago).strftime("%Y-%m-%dT%H:%M"),
            "antihypertensive_therapy": "none",
            "bp1_sbp": 130,
            "bp1_dbp": 80,
        },
        ("api-patients", "POST"): {
            "site": world.patient.site_id,
            "mrn": f"MATRIX-{next(_mrns)}",
            "family_name": "Newpatient",
            "given_name": "Matrix",
            "date_of_birth": "1961-02-03",
            "sex": "female",
            "histology": "papillary",
        },
        ("api-patient", "PATCH"): {
            "reason": "Weighed again",
            "baseline_weight_kg": "71.0",
            "version": Patient.objects.get(pk=world.patient.pk).version,
        },
        ("api-courses", "POST"): {
            "patient": world.patient.pk,
            "drug": "sorafenib",
            "start_date": timezone.localdate().isoformat(),
            "starting_dose_mg": "800.0",
            # The patient is still on lenvatinib: a second open course needs its reason.
            "concurrent_course_reason": "Switching today; lenvatinib ends tonight",
        },
        ("api-dose-changes", "POST"): {
            "kind": "reduce",
            "dose_after_mg": "20.0",
            "reason": "Grade 2 fatigue the patient cannot bear",
        },
        ("api-notification-preference", "PUT"): {"digest_time": "08:00"},
        ("api-evaluate", "POST"): EXAMPLE,
        ("api-visits", "POST"): {
            "course": world.course.pk,
            "occurred_at": an_hour_ago.isoformat(),
            "observations": [{"term": "hypertension", "readings": [[130, 80]]}],
        },
        ("api-visit", "PATCH"): {
            "reason": "Typo in the note",
            "note": "Corrected note",
            "revision": Visit.objects.get(pk=world.visit.pk).revision,
        },
        ("api-recommendation-decision", "POST"): {"decision": "approve", "password": PASSWORD},
        ("api-fhir-bundle", "POST"): fhir_bundle(world),
        ("reports:weekly", "POST"): {"diarrhea__frequency": 2},
        ("reports:blood-pressure", "POST"): {
            "morning_taken_at": timezone.localtime(an_hour_ago).strftime("%Y-%m-%dT%H:%M"),
            "morning_sbp1": 128,
            "morning_dbp1": 82,
        },
        ("reports:bp-import", "POST"): {"file": monitor_export(an_hour_ago)},
        ("reports:doses", "POST"): {
            "date": timezone.localdate().isoformat(),
            "status": "missed",
            "reason": "Forgot",
        },
        ("patient-reports:invite", "POST"): {"channel": "printed"},
        ("reports:reminders", "POST"): {"enabled": "off"},
        ("reports:language", "POST"): {"language": "zh-hans"},
        ("patient-reports:triage-item", "POST"): {"graded_how": "report", "grade_diarrhea": "3"},
    }
    return bodies.get((name, method), {})


def monitor_export(when):
    """A home monitor's CSV export with one reading."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    local = timezone.localtime(when)
    text = f"Date,Time,Systolic (mmHg),Diastolic (mmHg)\n{local:%Y-%m-%d},{local:%H:%M},128,82\n"
    return SimpleUploadedFile("readings.csv", text.encode(), content_type="text/csv")


def fhir_bundle(world) -> dict:
    """One blood-pressure panel of the world's patient, an hour ago, as a lab feed sends it."""
    from tests.interop import fhir

    reading = fhir.blood_pressure(
        130, 80, mrn=world.patient.mrn, at=timezone.now() - timedelta(hours=1), id="matrix-bp"
    )
    return fhir.bundle(reading)


def client_for(role: str, world, url: str):
    user = world.users[role]
    if url.startswith("/api/"):
        client = APIClient()
        if user is not None:  # the API's real path: token authentication
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client, method: str, url: str, body: dict):
    if isinstance(client, APIClient):
        return client.generic(
            method, url, data=client._encode_data(body, "json")[0], content_type="application/json"
        )
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, body)
    return client.generic(method, url, data="", content_type="application/x-www-form-urlencoded")


def answer_differs(response, expected) -> str | None:
    if expected == PATIENT_LOGIN:
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(
            reverse("reports:sign-in") + "?next="
        ):
            return None
        return f"{response.status_code} {location!r} (expected the patients' sign-in)"
    if expected == LOGIN:
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(reverse("login") + "?next="):
            return None
        return f"{response.status_code} {location!r} (expected the login redirect)"
    if response.status_code != expected:
        return f"{response.status_code} (expected {expected})"
    return None


CELLS = sorted((name, method) for name, methods in MATRIX.items() for method in methods)


@pytest.fixture
def patient_world(world):
    """The world, with a patient account of its patient that has sent one report."""
    from tests.reports.factories import emailed_account, reminder_with_stop_link, weekly_report

    account = emailed_account(world.users["nurse"], world.patient, username="matrix-patient")
    world.users["patient"] = account.user
    world.patient_report = weekly_report(account)
    _reminder, world.reminder_stop_token = reminder_with_stop_link(account)
    # The disease course: a baseline study and an open tumour-board question.
    nurse = world.users["nurse"]
    world.imaging_study = record_imaging_study(
        actor=nurse,
        patient=world.patient,
        performed_on=timezone.localdate() - timedelta(days=300),
        modality="ct",
        targets=[{"label": "T1", "organ": "lung", "diameter_mm": Decimal("30.0")}],
        non_target="absent",
        baseline=True,
    )
    world.board_entry = add_board_entry(actor=nurse, patient=world.patient, question="MKI now?")
    # A second report with severe diarrhoea (composite 3): a triage item to grade.
    severe = weekly_report(account, {"diarrhea": {"frequency": 4}})
    world.triage_item = severe.triage_item
    world.impact_report = ImpactReport.objects.create(
        requested_by=world.users["pharmacist"],
        requested_at=timezone.now(),
        reason="Matrix",
        site_ids=[world.patient.site_id],
        candidate={"row_changes": [], "policy": {}, "label": None},
        engine_version="1.1.0",
        current_policy={},
        candidate_policy={},
        status=ImpactStatus.DONE,
    )
    return world


@pytest.mark.parametrize(("name", "method"), CELLS, ids=[f"{m} {n}" for n, m in CELLS])
def test_each_role_gets_the_answer_in_the_table(patient_world, name, method):
    world = patient_world
    url = url_for(name, world)
    mismatches = []
    for role in ROLES:
        client = client_for(role, world, url)
        response = send(client, method, url, body_for(name, method, world))
        wrong = answer_differs(response, MATRIX[name][method][role])
        if wrong:
            mismatches.append(f"{role}: {method} {url} -> {wrong}")
        if role in ("outsider", "patient"):  # the patient's own pages carry no identifier
            content = response.content.decode(errors="replace")
            for identifier in (world.patient.mrn, world.patient.reference_code):
                if identifier in content:
                    mismatches.append(f"outsider: {method} {url} shows {identifier!r}")
    assert not mismatches, "\n".join(mismatches)
