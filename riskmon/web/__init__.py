"""The review web application: FastAPI, server-rendered Jinja2, vendored htmx (docs/web.md).

Accounts, sessions and lockout (:mod:`riskmon.web.auth`, :mod:`riskmon.web.sessions`) are plain
database services with no web import, so the CLI uses the same code to set passwords and revoke
sessions. :func:`riskmon.web.app.create_app` builds the application.
"""
