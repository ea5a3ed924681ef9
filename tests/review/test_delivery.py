"""Outbox delivery against a real local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select, update

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import NotifyConfig
from riskmon.review.delivery import deliver
from riskmon.review.escalation import Ladder, escalate
from riskmon.store.tables import Notification, User, table_of
from tests.helpers import NOW


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on the loopback (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_outbox_is_mailed_once_to_the_units_users(
    engine: Engine,
    flags: dict[str, int],
    smtp: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, port = smtp
    with engine.begin() as conn:
        conn.execute(update(table_of(User)).where(table_of(User).c.user_id == "po1").values(email="po1@example.jp"))
    escalate(engine, NOW, BusinessCalendar(), Ladder())
    config = NotifyConfig(smtp_host="127.0.0.1", smtp_port=port, sender="riskmon@example.jp")
    result = deliver(engine, config)
    assert result.messages == 1 and result.notifications >= 3  # PO-001's new flags, in one message
    [msg] = inbox.messages
    assert msg["To"] == "po1@example.jp" and "PO-001" in msg["Subject"]
    assert "riskmon flags show" in msg.get_payload(decode=True).decode()
    assert deliver(engine, config).messages == 0  # nothing is sent twice
    with engine.connect() as conn:
        unsent = conn.execute(
            select(func.count()).select_from(table_of(Notification)).where(table_of(Notification).c.sent_at.is_(None))
        ).scalar()
    assert unsent and result.skipped_units >= 1  # units with no address keep theirs for the digest


def test_without_a_host_nothing_is_sent(engine: Engine) -> None:
    assert deliver(engine, NotifyConfig()).messages == 0
