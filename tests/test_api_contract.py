"""The API keeps its published document: generated requests (schemathesis, from the OpenAPI
document the portal serves) against the demo's data find no answer of 500 or more and no
answer that breaks the document, and the document names every route of the API."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.conftest import savepoint

# At least this many requests in all (CI may ask for more).
REQUESTS = int(os.environ.get("PORTAL_API_REQUESTS", "1000"))


@pytest.fixture(scope="module")
def seeded(demo):  # type: ignore[no-untyped-def]
    return demo


def _shape(path: str) -> str:
    """A path with the names of its parameters set aside: ``/a/{}/b``."""
    return "/".join("{}" if part[:1] in "{<" else part for part in path.split("/"))


def test_the_document_names_every_route_of_the_api(app, seeded):
    with savepoint(app, seeded):
        document = app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    routes = {_shape(r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert routes == {_shape(path) for path in document["paths"]}


def test_generated_requests_find_no_server_error_and_nothing_off_the_document(app, seeded):
    with savepoint(app, seeded):
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        sent: list[tuple[str, int]] = []
        # Operations without parameters have one request to make; the rest share the count.
        each = REQUESTS // max(1, sum(1 for o in operations if _has_parameters(o))) + 1
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                if mode == GenerationMode.NEGATIVE and not _has_parameters(operation):
                    continue
                _run(operation, mode, each, sent)
    failures = [(label, status) for label, status in sent if status >= 500]
    assert not failures
    assert len(sent) >= REQUESTS, f"only {len(sent)} requests were generated"
    print(f"\n{len(sent)} generated requests, none answered 500 or more")  # seen with -s


def _has_parameters(operation) -> bool:  # type: ignore[no-untyped-def]
    return bool(list(operation.iter_parameters()))


def _run(operation, mode, examples: int, sent: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        # The test client does not unpack gzip, which the portal sends to those who ask.
        response = case.call(headers={"Accept-Encoding": "identity"})
        sent.append((operation.label, response.status_code))
        assert response.status_code < 500, (case.formatted_path, response.text[:500])
        # A schema-valid code that names nothing (``territory=abc``) is refused with a 400 that
        # says so: that is the portal's choice, not a fault.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    try:
        check()
    except Unsatisfiable:
        # No request breaks the document here (a path's only parameter is any text).
        assert mode == GenerationMode.NEGATIVE
