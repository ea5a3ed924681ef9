"""schemathesis over every endpoint of ``/api/v1``, from the application's own OpenAPI (its ASGI
loader: the whole application, the API mounted as ``riskmon serve`` mounts it): no answer is a
server error, and every answer's status, content type, headers and body match the schema.

One seeded SQLite database for the module (the routes' behaviour on both backends is the other
tests' work), a second-line token with every scope so each endpoint gets past authentication, and
few examples per endpoint: the suite is long already.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riskmon.accounts.tokens import Tokens
from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from riskmon.web.app import create_app
from tests.web.api.api_support import api_settings
from tests.web.pages_support import seed_pages
from tests.web.support import Clock, seed

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance)  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("schemathesis")
    engine = make_engine(f"sqlite:///{folder / 'riskmon.db'}")
    upgrade(engine)
    seed(engine, folder)
    seed_pages(engine, folder)
    clock = Clock()
    secret, _ = Tokens(engine, clock).issue("risk1", name="schemathesis", days=30)
    app = create_app(api_settings(folder), engine=engine, clock=clock)
    with TestClient(app):
        yield {"app": app, "headers": {"Authorization": f"Bearer {secret}"}}
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(served: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", served["app"])


# every operation of the API (the first test proves the list is the schema's); schemathesis' own
# pytest loader (schemathesis.pytest.from_fixture) does not run under pytest 9, so each operation
# is one test here, its cases drawn by hypothesis from the operation's strategy
OPERATIONS = [
    ("POST", "/events"), ("GET", "/events/{event_id}"), ("GET", "/ingest-runs"), ("GET", "/ingest-runs/{run_id}"),
    ("GET", "/ingest-runs/{run_id}/rejects"), ("GET", "/flags"), ("GET", "/flags/{flag_id}"), ("POST", "/flags/{flag_id}/{action}"),
    ("GET", "/reports"), ("POST", "/reports"), ("GET", "/reports/{report_id}/file.{ext}"),
]  # fmt: skip


#: a committee pack is written for each valid example: a few are enough to prove its answers' shape
EXAMPLES = {("POST", "/reports"): 3}


def test_the_operations_are_the_schemas(api_schema: Any) -> None:
    found = sorted((op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations())
    assert found == sorted(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_endpoint_matches_its_schema(api_schema: Any, served: dict[str, Any], method: str, path: str) -> None:
    @given(case=api_schema[path][method].as_strategy())
    @settings(max_examples=EXAMPLES.get((method, path), 8), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)  # fmt: skip
    def check(case: Any) -> None:
        case.call_and_validate(headers=served["headers"], checks=CHECKS)

    check()
