"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

For generated requests, valid and invalid: never a 5xx, every status code is one the schema
declares, and every response body matches the schema of its status code.
"""

from __future__ import annotations

import warnings

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from gdlab.web import Settings, create_app

# A short time budget keeps the many generated runs quick; the runs still go through minimize.
APP = create_app(Settings(time_budget_s=0.25))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_matches_its_schema(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        case.call_and_validate(checks=CHECKS)
