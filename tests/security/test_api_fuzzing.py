"""The API survives whatever a client sends, and always answers within its schema.

schemathesis generates requests from the drf-spectacular schema that /api/schema/
serves, and calls the WSGI application in process, signed in with an API token as a
nurse and as an oncologist of a site that has a patient, a course, a visit, a
pending recommendation and an alert. For each operation and persona it runs
EXAMPLES requests (hypothesis, derandomized: the same requests on every run):
schema-conforming ones (half of them aimed at the site's real objects: path ids
and the ids a body refers to) and schema-breaking ones. Every answer must pass
not_a_server_error, response_schema_conformance, status_code_conformance,
content_type_conformance and response_headers_conformance.

35 operations x 2 personas x 40 examples = 2,800 requests per run; about a
minute on PostgreSQL (`make test`), similar on SQLite.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from disease.services.board import add_board_entry
from disease.services.imaging import record_imaging_study
from tests.factories import api_token

pytestmark = pytest.mark.fuzz
EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]


def openapi_document() -> dict:
    """The schema exactly as /api/schema/?format=json serves it."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


SCHEMA = schemathesis.openapi.from_dict(openapi_document())
OPERATIONS = sorted(
    (operation.path, operation.method.upper())
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
)
APP = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """The WSGI handler closes "old" database connections around each request, which
    would end the test's transaction; Django's own test client disconnects it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_one_the_api_serves(api, nurse):
    served = api(nurse).get("/api/schema/?format=json")
    assert served.status_code == 200
    assert json.loads(served.content) == openapi_document()


def test_every_operation_is_fuzzed():
    """No endpoint is left out: 35 operations, each fuzzed as both personas."""
    assert len(OPERATIONS) == 35


def disease_objects(world):
    """A baseline study and an open tumour-board question of the world's patient."""
    if not hasattr(world, "board_entry"):
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
        world.board_entry = add_board_entry(actor=nurse, patient=world.patient, question="?")
    return world.imaging_study, world.board_entry


def real_ids(world) -> dict:
    study, entry = disease_objects(world)
    return {
        "study_id": study.pk,
        "entry_id": entry.pk,
        "patient_id": world.patient.pk,
        "course_id": world.course.pk,
        "visit_id": world.visit.pk,
        "recommendation_id": world.recommendation.pk,
        "alert_id": world.alert.pk,
        # ids a request body refers to
        "patient": world.patient.pk,
        "course": world.course.pk,
        "site": world.patient.site_id,
    }


def requests_for(operation, ids: dict):
    """Schema-breaking requests, and schema-conforming ones with random or real ids."""
    names = [parameter.name for parameter in operation.path_parameters]
    path_ids = {name: ids[name] for name in names if name in ids}
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    aimed = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_ids or None)

    @st.composite
    def at_real_objects(draw):
        case = draw(aimed)
        if isinstance(case.body, dict):
            for key in ("patient", "course", "site"):
                if key in case.body and draw(st.booleans()):
                    case.body[key] = ids[key]
        return case

    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    return st.one_of(positive, at_real_objects(), negative)


@pytest.mark.parametrize("persona", ["nurse", "oncologist"])
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_answers_within_its_schema(world, persona, path, method):
    headers = {"Authorization": f"Token {api_token(world.users[persona])}"}
    operation = SCHEMA[path][method]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=requests_for(operation, real_ids(world)))
    def answers_within_schema(case):
        case.call_and_validate(app=APP, headers=headers, checks=CHECKS)

    answers_within_schema()


# --- bodies no generator makes: nesting and size (config/parsers.py, config/api.py) -------

# The operations whose schema takes a request body (acknowledging an alert takes none).
BODY_OPERATIONS = [(p, m) for p, m in OPERATIONS if len(SCHEMA[p][m].body)]
HOSTILE_BODIES = {
    "arrays nested 1000 deep": "[" * 1000 + "]" * 1000,
    "objects nested 1000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "arrays nested 33 deep": "[" * 33 + "]" * 33,
    "a 400-digit number": '{"dose_mg_per_day": ' + "9" * 400 + "}",
    "a 400-digit decimal": '{"dose_mg_per_day": 1' + "0" * 400 + ".5}",
    "a body over the upload limit": '{"note": "' + "x" * (2_621_440 + 1) + '"}',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=list(HOSTILE_BODIES))
@pytest.mark.parametrize(
    ("path", "method"), BODY_OPERATIONS, ids=[f"{m} {p}" for p, m in BODY_OPERATIONS]
)
def test_a_hostile_body_is_refused_in_the_error_shape(world, path, method, body):
    """Every operation that reads a body refuses these with 400 (403 first where an
    oncologist may not act at all), in the API's JSON error shape; nothing is a 5xx."""
    persona = "oncologist"  # the role that may write most: the body is read
    url = path.format(**real_ids(world))
    fhir = path.startswith("/api/v1/fhir/")
    if fhir:  # a Bundle is imported into one site, named in the query
        url += f"?site={world.patient.site.code}"
    response = APIClient().generic(
        method,
        url,
        HOSTILE_BODIES[body],
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {api_token(world.users[persona])}",
    )
    assert response.status_code in (400, 403), (response.status_code, response.content[:200])
    if fhir:  # the FHIR endpoints answer every refusal as an OperationOutcome
        assert response["Content-Type"] == "application/fhir+json"
        assert response.json()["resourceType"] == "OperationOutcome"
    else:
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"errors"}
