"""The nurse's visit form: saves a whole visit or nothing, shows the rules' answer first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import formats, timezone

from tests.tracker import data
from toxicity.models import Observation, Visit
from tracker.visit_form import build_observations


def form_data(**overrides):
    moment = timezone.localtime() - timezone.timedelta(hours=1)
    data = {
        "occurred_at": moment.strftime("%Y-%m-%d %H:%M"),
        "antihypertensive_therapy": "optimal",
        "antihypertensive_stable_since": (moment - timezone.timedelta(days=5)).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "bp1_sbp": "166",
        "bp1_dbp": "102",
        "bp2_sbp": "162",
        "bp2_dbp": "100",
        "weight_kg": "68.5",
        "stools_per_day": "2",
        "grade_fatigue": "2",
    }
    return {**data, **overrides}


def url(patient, what="new"):
    return f"/patients/{patient.pk}/visits/{what}/"


def test_a_nurse_opens_the_form_with_the_patients_dose_and_baselines(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert "24 mg/day" in page
    assert "baseline 70" in page
    assert "Fatigue relieved by rest" in page  # the nurse picks the CTCAE sentence


def test_a_saved_visit_stores_computed_grades_and_is_evaluated(
    logged_in, nurse, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(nurse).post(url(course.patient), form_data())
    assert response.status_code == 302
    visit = Visit.objects.get(course=course)
    grades = dict(visit.observations.values_list("term", "final_grade"))
    assert grades == {"hypertension": 3, "weight_loss": 0, "diarrhea": 1, "fatigue": 2}
    assert visit.evaluated_at is not None
    assert visit.recommendations.get().action == "withhold"


def test_diastolic_above_systolic_is_shown_at_the_reading_and_nothing_is_saved(
    logged_in, nurse, course
):
    response = logged_in(nurse).post(url(course.patient), form_data(bp2_dbp="190"))
    assert response.status_code == 200
    assert response.context["form"].errors["bp2_sbp"] == [
        "Reading 2: the diastolic 190 is above the systolic 162."
    ]
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_a_lower_clinician_grade_without_a_reason_is_refused(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), form_data(grade_hypertension="1"))
    assert response.context["form"].errors["grade_hypertension"] == [
        "Grade 1 is below the grade 3 the numbers give: write why in the box below it, "
        "or keep the computed grade."
    ]
    assert not Visit.objects.exists()


def test_the_preview_shows_grades_and_the_recommendation_without_saving(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient, "preview"), form_data())
    assert response.status_code == 200
    body = response.json()
    assert {g["term"]: g["grade"] for g in body["grades"]}["hypertension"] == 3
    assert body["decision"]["action"] == "withhold"
    assert body["decision"]["resume_dose_mg_per_day"] == 20
    assert not Visit.objects.exists()


def test_the_preview_names_the_field_to_correct(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient, "preview"), form_data(bp1_sbp="20"))
    assert response.status_code == 400
    assert "bp1_sbp" in response.json()["errors"]


def test_an_outsider_gets_404(logged_in, outsider, course):
    assert logged_in(outsider).get(url(course.patient)).status_code == 404
    assert logged_in(outsider).post(url(course.patient, "preview"), form_data()).status_code == 404


def test_a_site_administrator_does_not_record_visits(logged_in, site_admin, course):
    assert logged_in(site_admin).get(url(course.patient)).status_code == 403


def test_the_form_has_no_inline_script(logged_in, nurse, course):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert "<script>" not in page
    assert 'src="/static/js/visit-form' in page


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"bp1_sbp": 150, "bp1_dbp": 95}, [{"term": "hypertension", "readings": [[150, 95]]}]),
        ({"stools_per_day": 0}, [{"term": "diarrhea", "stools_per_day": 0}]),
        ({"grade_nausea": "0"}, [{"term": "nausea", "grade": 0}]),
        ({"grade_nausea": ""}, []),
        (
            {"alt_value": 260, "alt_uln": 40},
            [{"term": "alanine_aminotransferase_increased", "value": 260, "uln": 40}],
        ),
    ],
)
def test_the_form_builds_the_contracts_observations(fields, expected):
    assert build_observations(fields).items == expected


def test_the_patient_page_offers_a_nurse_the_visit_form(logged_in, nurse, course):
    page = logged_in(nurse).get(f"/patients/{course.patient.pk}/").content.decode()
    assert url(course.patient) in page


def test_every_ctcae_term_can_be_recorded_on_the_form():
    from toxicity.ctcae.terms import TERMS
    from tracker.visit_form import VisitForm, _terms_on_their_own_fields

    offered = {
        key
        for _group, options in VisitForm().fields["event1_term"].choices[1:]
        for key, _label in options
    }
    assert offered | _terms_on_their_own_fields() == set(TERMS)
    assert len(TERMS) == 837


def test_a_perforation_recorded_as_another_event_is_saved_and_discontinues(
    logged_in, nurse, course, django_capture_on_commit_callbacks
):
    data = form_data(event1_term="colonic_perforation", event1_grade="3")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(nurse).post(url(course.patient), data)
    assert response.status_code == 302
    visit = Visit.objects.get(course=course)
    assert visit.observations.get(term="colonic_perforation").final_grade == 3
    assert visit.recommendations.get().action == "discontinue"


def test_a_grade_the_term_does_not_define_is_shown_at_its_field_and_nothing_is_saved(
    logged_in, nurse, course
):
    data = form_data(event1_term="transient_ischemic_attacks", event1_grade="4")
    response = logged_in(nurse).post(url(course.patient), data)
    assert response.status_code == 200
    message = response.context["form"].errors["event1_grade"][0]
    assert "defined grades 1, 2" in message
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()


def test_a_term_without_a_grade_is_refused_on_the_grade_field(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), form_data(event1_term="stroke"))
    assert response.status_code == 200
    assert "event1_grade" in response.context["form"].errors
    assert not Visit.objects.exists()


# --- A routine visit without traps ---------------------------------------------------

LABS_VISIT = [
    {"term": "alanine_aminotransferase_increased", "value": 45, "uln": 40, "baseline": 30},
    {"term": "aspartate_aminotransferase_increased", "value": 38, "uln": 35, "baseline": 30},
]


def vitals_only(**overrides):
    """What the browser posts for BP and weight only: the form's pre-filled ULNs included."""
    data = {
        "occurred_at": (timezone.localtime() - timezone.timedelta(minutes=5)).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "antihypertensive_therapy": "none",
        "bp1_sbp": "128",
        "bp1_dbp": "82",
        "bp2_sbp": "126",
        "bp2_dbp": "80",
        "weight_kg": "69.5",
        "alt_uln": "40",
        "ast_uln": "35",
    }
    return {**data, **overrides}


def test_the_form_carries_the_ulns_of_the_last_labs_visit(logged_in, nurse, course):
    data.log_visit(nurse, course, days_ago=7, observations=LABS_VISIT)
    form = logged_in(nurse).get(url(course.patient)).context["form"]
    assert form["alt_uln"].value() == 40
    assert form["ast_uln"].value() == 35


def test_a_vitals_only_visit_after_a_labs_visit_saves_without_a_lab_observation(
    logged_in, nurse, course
):
    data.log_visit(nurse, course, days_ago=7, observations=LABS_VISIT)
    response = logged_in(nurse).post(url(course.patient), vitals_only())
    assert response.status_code == 302, response.context["form"].errors
    visit = Visit.objects.filter(course=course).latest("occurred_at")
    assert sorted(visit.observations.values_list("term", flat=True)) == [
        "hypertension",
        "weight_loss",
    ]


def test_an_empty_form_asks_for_at_least_one_observation_and_saves_nothing(
    logged_in, nurse, course
):
    empty = {k: v for k, v in vitals_only().items() if not k.startswith(("bp", "weight"))}
    response = logged_in(nurse).post(url(course.patient), empty)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Record at least one observation."]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("box", "typed", "message"),
    [
        ("weight_kg", "7e", "Weight (kg) is not a number: type digits and a decimal point only."),
        ("bp1_sbp", "14O", "Reading 1 systolic is not a number: type digits only."),
        ("bp1_dbp", "8 0", "Reading 1 diastolic is not a number: type digits only."),
    ],
)
def test_a_typo_in_a_number_box_is_named_at_the_box_and_nothing_is_saved(
    logged_in, nurse, course, box, typed, message
):
    response = logged_in(nurse).post(url(course.patient), vitals_only(**{box: typed}))
    form = response.context["form"]
    assert form.errors[box] == [message]
    assert form[box].value() == typed  # what was typed stays in the box to correct
    assert not Visit.objects.exists()


def test_number_boxes_are_text_boxes_so_the_browser_never_drops_what_was_typed(
    logged_in, nurse, course
):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert 'type="number"' not in page
    assert 'name="weight_kg" inputmode="decimal"' in page or 'inputmode="decimal"' in page


@pytest.mark.parametrize(
    ("box", "bound", "inside", "outside"),
    [
        ("weight_kg", "weight_kg", "20", "19.9"),
        ("weight_kg", "weight_kg", "400", "400.1"),
        ("bp1_sbp", "sbp", "300", "301"),
        ("bp1_dbp", "dbp", "20", "19"),
        ("stools_per_day", "stools_per_day", "50", "51"),
        ("qtc_ms", "qtc_ms", "200", "199"),
    ],
)
def test_the_forms_bounds_are_the_engines_bounds(
    logged_in, nurse, course, box, bound, inside, outside
):
    from toxicity.rules.bounds import PLAUSIBLE

    spec = PLAUSIBLE[bound]
    client = logged_in(nurse)
    fields = {**vitals_only(bp1_sbp="299"), box: inside}
    if box == "bp1_dbp":
        fields["bp1_sbp"] = "120"
    ok = client.post(url(course.patient, "preview"), fields)
    assert box not in ok.json().get("errors", {}), ok.json()
    refused = client.post(url(course.patient), {**fields, box: outside}).context["form"]
    low, high = f"{spec.low:g}", f"{spec.high:g}"
    assert refused.errors[box][0].endswith(f"must be between {low} and {high} {spec.unit}.")
    widget = refused.fields[box].widget.attrs
    assert (widget["data-min"], widget["data-max"]) == (low, high)


def test_a_reading_without_its_diastolic_is_asked_for_in_words(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), vitals_only(bp2_dbp=""))
    assert response.context["form"].errors["bp2_dbp"] == [
        "Reading 2: enter the diastolic pressure too."
    ]
    page = response.content.decode()
    assert "expected a finite number" not in page
    assert "null" not in page


def test_box_errors_and_the_engines_errors_come_in_one_round(logged_in, nurse, course):
    """A typo in the weight does not hide the lowered grade without a reason."""
    response = logged_in(nurse).post(
        url(course.patient), form_data(weight_kg="7e", grade_hypertension="1")
    )
    errors = response.context["form"].errors
    assert set(errors) == {"weight_kg", "grade_hypertension"}
    assert not Visit.objects.exists()


def test_a_refused_save_lists_every_error_at_the_top_linked_to_its_box(logged_in, nurse, course):
    response = logged_in(nurse).post(url(course.patient), vitals_only(weight_kg="7e", bp2_dbp=""))
    page = response.content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))
    ]
    assert "2 things to correct" in summary
    assert summary.index('href="#id_bp2_dbp"') < summary.index('href="#id_weight_kg"')
    # The cursor goes to the summary, not to the first blood-pressure box.
    assert "autofocus" not in page


def test_the_first_blood_pressure_box_has_the_cursor_and_save_is_one_link_away(
    logged_in, nurse, course
):
    page = logged_in(nurse).get(url(course.patient)).content.decode()
    assert page.count("autofocus") == 1
    assert 'name="bp1_sbp"' in page[page.index("autofocus") - 300 : page.index("autofocus") + 50]
    assert 'href="#save-visit"' in page
    assert 'id="save-visit" accesskey="s"' in page
    assert "<kbd>Ctrl</kbd>+<kbd>Enter</kbd> saves" in page


def test_the_last_values_stand_beside_their_boxes(logged_in, nurse, course):
    data.log_visit(
        nurse,
        course,
        days_ago=7,
        observations=[
            data.hypertension([[132, 84], [130, 82]]),
            {"term": "weight_loss", "weight_kg": 68.2},
            *LABS_VISIT,
        ],
    )
    form = logged_in(nurse).get(url(course.patient)).context["form"]
    when = formats.date_format(timezone.localtime() - timezone.timedelta(days=7), "DATE_FORMAT")
    assert form.last["bp"] == f"last 132/84, 130/82 mm Hg on {when}"
    assert form.last["weight_kg"] == f"last 68.2 kg on {when}"
    assert form.last["alt_value"] == f"last 45 (ULN 40) on {when}"
    assert "stools_per_day" not in form.last


def test_the_time_hint_names_a_utc_clinics_zone_once(logged_in, oncologist, nurse, patient):
    assert patient.site.time_zone == "UTC"
    data.start_course(oncologist, patient, days_ago=30)
    html = logged_in(nurse).get(url(patient)).content.decode()
    assert "clinic time (UTC)" in html
    assert "UTC (UTC)" not in html


@time_machine.travel(datetime(2026, 6, 1, 2, 30, tzinfo=UTC), tick=False)
def test_the_visit_time_is_now_in_the_clinics_zone_and_read_there(
    logged_in, nurse, oncologist, patient
):
    patient.site.time_zone = "Asia/Shanghai"
    patient.site.save()
    course = data.start_course(oncologist, patient, days_ago=30)
    client = logged_in(nurse)
    response = client.get(url(patient))
    assert response.context["form"]["occurred_at"].value().strftime("%Y-%m-%d %H:%M") == (
        "2026-06-01 10:30"
    )
    assert "clinic time (Asia/Shanghai, UTC+08:00)" in response.content.decode()
    saved = client.post(url(patient), vitals_only(occurred_at="2026-06-01 10:00"))
    assert saved.status_code == 302
    assert Visit.objects.get(course=course).occurred_at == datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


# --- "Other event" rows show the dictionary's descriptors -------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_grades_of_a_term_are_served_with_the_dictionarys_descriptors(logged_in, nurse):
    from toxicity.ctcae.terms import TERMS

    body = logged_in(nurse).get("/ctcae/colonic_perforation/grades/").json()
    labels = {c["value"]: (c["label"], c["defined"]) for c in body["choices"]}
    descriptor = _one_line(TERMS["colonic_perforation"].descriptors[3])
    assert labels["3"] == (f"3 · {descriptor}", True)
    assert labels["1"] == ("1 · not a grade of Colonic perforation", False)  # CTCAE: no grade 1
    assert labels["0"][1] is True


def test_an_unknown_term_has_no_grades(logged_in, nurse):
    assert logged_in(nurse).get("/ctcae/colonic_thing/grades/").status_code == 404


def test_the_grades_of_a_term_need_a_signed_in_user(client):
    response = client.get("/ctcae/colonic_perforation/grades/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_form_shown_again_names_the_chosen_terms_grades_and_descriptor(logged_in, nurse, course):
    from toxicity.ctcae.terms import TERMS

    # A refused save (no grade for the second event) shows the form again.
    data = form_data(event1_term="colonic_perforation", event1_grade="3", event2_term="stroke")
    response = logged_in(nurse).post(url(course.patient), data)
    assert response.status_code == 200
    page = response.content.decode()
    descriptor = _one_line(TERMS["colonic_perforation"].descriptors[3])
    # CTCAE's own English descriptor, marked as English for a reader of any language.
    assert f'<option value="3" lang="en" selected>3 · {descriptor}</option>' in page
    assert f"3 · {descriptor}</output>" in page
    assert not Visit.objects.exists()
