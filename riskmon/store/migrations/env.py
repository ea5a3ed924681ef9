"""Alembic environment: runs against the connection riskmon hands over (see riskmon.store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from riskmon.store.db import make_engine
from riskmon.store.tables import metadata
from riskmon.store.text_search import include_object

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,  # the search index lives outside the models
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
