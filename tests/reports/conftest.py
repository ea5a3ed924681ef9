"""The sample year, loaded and evaluated once for the report tests."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.flags.evaluation import evaluate
from tests.helpers import ROOT, run, shipped

AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from riskmon.store.db import make_engine
    from riskmon.store.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('sample') / 'r.db'}")
    upgrade(engine)
    run(engine, ROOT / "sample_events")
    evaluate(engine, shipped(), AS_OF, BusinessCalendar())
    return engine
