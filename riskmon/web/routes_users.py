"""利用者管理 (role ``user_admin``): users with their units and roles; change a role, activate or
deactivate, reset a password (a generated one-time password, shown once), end sessions, revoke
personal API tokens. The
rules and the audit are in :class:`riskmon.web.admin.UserAdmin`; this module reads forms and renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from riskmon.review import permissions
from riskmon.web.admin import ROLES, AdminRefused, Done, UserAdmin
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()


def _admin(request: Request) -> UserAdmin:
    ctx = context(request)
    return UserAdmin(ctx.engine, ctx.accounts)


def _page(request: Request, viewer: Viewer, status: int = 200, done: Done | None = None, error: str = "", target: str = "") -> Response:
    en = viewer.lang == "en"
    message = (done.en if en else done.ja) if done else ""
    return render(request, "users.html", viewer.lang, status, viewer=viewer, users=_admin(request).list_users(), roles=ROLES,
                  message=message, secret=done.secret if done else None, error=error, target=target)  # fmt: skip


@router.get("/admin/users")
def users_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    try:
        _admin(request).require_admin(viewer.actor, "users_read", viewer.session.ref)
    except AdminRefused as refusal:
        message = refusal.en if viewer.lang == "en" else refusal.ja
        return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="", message=message, viewer=viewer)
    return _page(request, viewer)


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
        message = refusal.en if viewer.lang == "en" else refusal.ja
        if not permissions.can_administer_users(viewer.actor):
            return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="", message=message, viewer=viewer)
        return _page(request, viewer, 400, error=message, target=user_id)
    return _page(request, viewer, done=done, target=user_id)
