"""The 日本語 | English switch always leads to a GET page (issue #11: Japanese by default, English by
``?lang=en``). A page a POST renders — a form sent back with a validation error, a refusal —
once linked to the POST's own URL, and following the link answered 405. Every POST route that
renders a page is tried here; a new one fails the coverage check until it is added."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from riskmon import web
from tests.web.support import csrf_of

#: POST routes that only ever redirect (no page of their own, so no language link)
REDIRECT_ONLY = {"/logout"}


def english_link(html: str) -> str:
    found = re.findall(r'<a href="([^"]+)" hreflang="en" lang="en">English</a>', html)
    assert len(found) == 1, html[:400]
    return found[0].replace("&amp;", "&")


def check(client: TestClient, response: Any, status: int, link: str) -> None:
    """``response`` is the page expected (``status``); its English link is ``link``, and following
    it is a GET that shows the page in English."""
    assert response.status_code == status, response.text[:400]
    assert english_link(response.text) == link
    followed = client.get(link)
    assert followed.status_code == 200 and '<html lang="en">' in followed.text


def test_every_post_route_that_renders_a_page_links_to_a_get_page(
    client: TestClient, as_: Callable[[str], TestClient], flags: dict[str, int]
) -> None:
    own = flags["R01:C1"]
    tried: set[str] = set()

    def form(c: TestClient, page: str) -> str:
        return csrf_of(c.get(page).text)

    # ログイン: a wrong password renders the form again
    token = form(client, "/login")
    tried.add("/login")
    check(client, client.post("/login", data={"user_id": "po1", "password": "wrong password!", "csrf_token": token}), 401, "/login?lang=en")

    po1 = as_("po1")
    tried.add("/password")
    sent = {"current_password": "x", "new_password": "a" * 12, "confirm_password": "b" * 12, "csrf_token": form(po1, "/password")}
    check(po1, po1.post("/password", data=sent), 400, "/password?lang=en")
    po1.get("/?lang=ja")  # following the link made English this session's language: back to Japanese

    tried.add("/flags/bulk")  # nothing selected: the list again, with the filters the bulk form carried
    bulk = po1.post("/flags/bulk?severity=high&status=all", data={"bulk_action": "comment", "csrf_token": form(po1, "/flags")})
    check(po1, bulk, 400, "/flags?severity=high&status=all&lang=en")
    po1.get("/?lang=ja")

    tried.add("/flags/{flag_id}/act")  # a bad date in the form: the detail again, with the problem inline
    bad = po1.post(f"/flags/{own}/act", data={"action": "comment", "note": "n", "until": "tomorrow", "csrf_token": form(po1, "/")})
    check(po1, bad, 400, f"/flags/{own}?lang=en")
    po1.get("/?lang=ja")
    refused = po1.post(f"/flags/{own}/act", data={"action": "confirm", "csrf_token": form(po1, "/")})  # not po1's to take: 403 page
    check(po1, refused, 403, f"/flags/{own}?lang=en")
    po1.get("/?lang=ja")

    tried.add("/quarantine/{reject_id}/handled")  # the first line may not: the refusal page links to the start
    check(po1, po1.post("/quarantine/1/handled", data={"csrf_token": form(po1, "/")}), 403, "/?lang=en")
    po1.get("/?lang=ja")
    check(po1, po1.post(f"/flags/{own}/act", data={"action": "acknowledge"}), 403, "/?lang=en")  # no CSRF token: refused
    po1.get("/?lang=ja")

    risk1 = as_("risk1")
    check(risk1, risk1.post("/quarantine/987654/handled", data={"csrf_token": form(risk1, "/")}), 404, "/quarantine?lang=en")

    risk1.get("/?lang=ja")
    tried.add("/reports/committee")  # a bad date: the reports page again; the first line's refusal links to the start
    bad_period = risk1.post("/reports/committee", data={"first": "x", "last": "2025-04-30", "csrf_token": form(risk1, "/reports")})
    check(risk1, bad_period, 400, "/reports?lang=en")
    risk1.get("/?lang=ja")
    check(po1, po1.post("/reports/committee", data={"first": "2025-04-01", "last": "2025-04-30", "csrf_token": form(po1, "/")}), 403,
          "/?lang=en")  # fmt: skip
    po1.get("/?lang=ja")
    tried.add("/audit/verify")  # the verification is shown on the audit page
    check(risk1, risk1.post("/audit/verify", data={"csrf_token": form(risk1, "/audit")}), 200, "/audit?lang=en")
    risk1.get("/?lang=ja")

    admin = as_("admin1")
    tried.add("/admin/users")  # no file chosen
    check(admin, admin.post("/admin/users", data={"csrf_token": form(admin, "/admin/users")}), 400, "/admin/users?lang=en")
    admin.get("/?lang=ja")
    tried.add("/admin/users/{user_id}")  # an unknown operation
    check(
        admin, admin.post("/admin/users/po1", data={"op": "guess", "csrf_token": form(admin, "/admin/users")}), 400, "/admin/users?lang=en"
    )

    po1.get("/?lang=ja")
    tried.add("/upload")  # no file chosen: the upload page again
    check(po1, po1.post("/upload", data={"csrf_token": form(po1, "/upload")}), 400, "/upload?lang=en")
    po1.get("/?lang=ja")
    tried.add("/daily")  # a form the model refuses: the daily report again, its messages beside the fields
    check(po1, po1.post("/daily", data={"business_date": "x", "csrf_token": form(po1, "/daily")}), 400, "/daily?lang=en")

    assert post_routes() - REDIRECT_ONLY == tried


def post_routes() -> set[str]:
    """Every POST route of every ``riskmon/web/routes_*.py`` (a new module is found too)."""
    found: set[str] = set()
    for info in pkgutil.iter_modules(web.__path__):
        if info.name.startswith("routes_"):
            router = importlib.import_module(f"riskmon.web.{info.name}").router
            found |= {r.path for r in router.routes if isinstance(r, APIRoute) and "POST" in r.methods}
    return found


def test_a_get_page_keeps_its_parameters(as_: Callable[[str], TestClient]) -> None:
    po1 = as_("po1")
    page = po1.get("/events?by=case&q=C1")
    assert english_link(page.text) == "?by=case&q=C1&lang=en"
