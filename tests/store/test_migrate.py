"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from riskmon.store.migrate import current_revision, head_revision, is_up_to_date, upgrade
from riskmon.store.tables import metadata
from riskmon.store.text_search import include_object


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}), metadata)
    assert diff == []


def test_upgrade_is_repeatable_and_reports_the_revision(engine: Engine) -> None:
    upgrade(engine)  # already at head: nothing to do, no error
    assert is_up_to_date(engine)
    assert current_revision(engine) == head_revision(engine)
