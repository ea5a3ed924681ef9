"""利用者管理 (role ``user_admin``): users with their units and roles; change a role, activate or
deactivate, reset a password (a generated one-time password, shown once), end sessions, revoke
personal API tokens, load the users file (the upload ``riskmon users load`` is on the command
line). The rules and the audit are in :class:`riskmon.accounts.admin.UserAdmin`; this module reads
forms and renders.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from riskmon.accounts.admin import ROLES, AdminRefused, Done, UserAdmin
from riskmon.errors import RiskmonError
from riskmon.i18n import phrase
from riskmon.review import permissions
from riskmon.web.body_limit import MAX_UPLOAD  # a request far larger never reaches the route (BodyLimit)
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()


@dataclass(frozen=True)
class Loaded:
    """What an upload did, for the page: the file's name, users stored, the changes (action, user)
    the service audited, and each refused line as ``file:line: field: reason`` — any refused line
    means the service stored nothing, and the page says the file was refused (400)."""

    name: str
    stored: int
    changes: list[tuple[str, str]]
    refused: list[str]


def _admin(request: Request) -> UserAdmin:
    ctx = context(request)
    return UserAdmin(ctx.engine, ctx.accounts)


def _page(request: Request, viewer: Viewer, status: int = 200, done: Done | None = None, error: str = "", target: str = "",
          loaded: Loaded | None = None) -> Response:  # fmt: skip
    en = viewer.lang == "en"
    message = (done.en if en else done.ja) if done else ""
    return render(request, "users.html", viewer.lang, status, get_url="/admin/users", viewer=viewer, users=_admin(request).list_users(),
                  roles=ROLES, message=message, secret=done.secret if done else None, error=error, target=target, loaded=loaded,
                  max_upload=MAX_UPLOAD)  # fmt: skip


def _forbidden(request: Request, viewer: Viewer, refusal: AdminRefused) -> Response:
    message = refusal.en if viewer.lang == "en" else refusal.ja
    return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="", message=message, viewer=viewer)


def _file_name(uploaded: str | None) -> str:
    """The upload's own name without any folder, and only characters safe in a file name: the
    name the messages show and the audit log records (``file:<name>``)."""
    base = re.split(r"[\\/]", uploaded or "")[-1]
    return re.sub(r"[^\w.\-]", "_", base).lstrip(".") or "users.csv"


@router.get("/admin/users")
def users_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    try:
        _admin(request).require_admin(viewer.actor, "users_read", viewer.session.ref)
    except AdminRefused as refusal:
        return _forbidden(request, viewer, refusal)
    return _page(request, viewer)


@router.post("/admin/users")
def users_load(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)],
               file: Annotated[UploadFile | None, File()] = None) -> Response:  # fmt: skip
    """The users file from the page, loaded by the same service as ``riskmon users load``: saved
    under its own name in a private temporary folder (the reader tells CSV by the name), read,
    and deleted. Who may load, what is refused and what is audited is the service's."""
    admin, ref, lang = _admin(request), viewer.session.ref, viewer.lang
    try:
        admin.require_admin(viewer.actor, "users_loaded", ref)
    except AdminRefused as refusal:
        return _forbidden(request, viewer, refusal)
    name = _file_name(file.filename if file else None)
    data = file.file.read(MAX_UPLOAD + 1) if file else b""
    if not data:
        return _page(request, viewer, 400, error=phrase("web", "u_load_empty", lang))
    if len(data) > MAX_UPLOAD:
        return _page(request, viewer, 413, error=phrase("web", "u_load_too_big", lang).replace("{max}", f"{MAX_UPLOAD:,}"))
    if not name.lower().endswith(".csv"):
        return _page(request, viewer, 400, error=phrase("web", "u_load_not_csv", lang).replace("{file}", name))
    with tempfile.TemporaryDirectory(prefix="riskmon-users-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            stored, bad, changes = admin.load_upload(viewer.actor, path, ref)
        except RiskmonError as exc:  # the whole file refused: unreadable, or it changes the uploader
            return _page(request, viewer, 400, error=exc.text(lang))
    refused = [f"{name}:{line}: {r.describe(lang)}" for line, reasons in bad for r in reasons]
    done = Loaded(name, stored, [(c.partition(":")[0], c.partition(":")[2]) for c in changes], refused)
    return _page(request, viewer, 400 if refused else 200, loaded=done)


@router.post("/admin/users/{user_id}")
def users_change(request: Request, user_id: str, viewer: Annotated[Viewer, Depends(require_viewer)],
                 op: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    admin, ref = _admin(request), viewer.session.ref
    try:
        if op == "role":
            done = admin.set_role(viewer.actor, user_id, role, ref)
        elif op in ("activate", "deactivate"):
            done = admin.set_active(viewer.actor, user_id, op == "activate", ref)
        elif op == "reset_password":
            done = admin.reset_password(viewer.actor, user_id, ref)
        elif op == "revoke_sessions":
            done = admin.revoke_sessions(viewer.actor, user_id, ref)
        elif op == "revoke_tokens":
            done = admin.revoke_tokens(viewer.actor, user_id, ref)
        else:
            raise AdminRefused("不明な操作です", "unknown operation")
    except AdminRefused as refusal:
        if not permissions.can_administer_users(viewer.actor):
            return _forbidden(request, viewer, refusal)
        return _page(request, viewer, 400, error=refusal.en if viewer.lang == "en" else refusal.ja, target=user_id)
    return _page(request, viewer, done=done, target=user_id)
