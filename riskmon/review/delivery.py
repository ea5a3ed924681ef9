"""Sending the outbox by SMTP, one message per recipient unit and day, to that unit's users.

Only rows not yet sent are sent, and each is marked when its message was accepted by the server,
so a failure part-way sends the rest next time and a re-run sends nothing twice.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import Engine, select, update

from riskmon.config import NotifyConfig
from riskmon.store.tables import Notification, User, table_of


@dataclass
class Delivery:
    messages: int = 0
    notifications: int = 0
    skipped_units: int = 0  # units with no user e-mail address: kept for the digest only


def deliver(engine: Engine, config: NotifyConfig) -> Delivery:
    if not config.smtp_host:
        return Delivery()
    t, u = table_of(Notification), table_of(User)
    with engine.connect() as conn:
        pending = conn.execute(select(t).where(t.c.sent_at.is_(None)).order_by(t.c.recipient_unit, t.c.id)).mappings().all()
        emails: dict[str, list[str]] = {}
        for unit_id, email in conn.execute(select(u.c.unit_id, u.c.email).where(u.c.active.is_(True), u.c.email.is_not(None))):
            emails.setdefault(unit_id, []).append(email)
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in pending:
        groups.setdefault((row["recipient_unit"], row["digest_date"].isoformat()), []).append(dict(row))
    result = Delivery()
    if not groups:
        return result
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=30) as smtp:
        if config.starttls:
            smtp.starttls()
        for (unit, day), rows in groups.items():
            to = emails.get(unit)
            if not to:
                result.skipped_units += 1
                continue
            msg = EmailMessage()
            msg["From"], msg["To"] = config.sender, ", ".join(sorted(to))
            msg["Subject"] = f"[riskmon] {day} {unit}: {len(rows)}件の通知 / notifications"
            msg.set_content("\n\n---\n\n".join(f"{r['subject']}\n\n{r['body']}" for r in rows))
            smtp.send_message(msg)
            with engine.begin() as conn:
                conn.execute(update(t).where(t.c.id.in_([r["id"] for r in rows])).values(sent_at=datetime.now(UTC)))
            result.messages += 1
            result.notifications += len(rows)
    return result
