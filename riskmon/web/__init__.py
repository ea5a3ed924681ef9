"""The review web application: FastAPI, server-rendered Jinja2, vendored htmx (docs/web.md).

Accounts, sessions, lockout, API tokens and 利用者管理 live in :mod:`riskmon.accounts`, below
the shells, so the CLI uses the same code to set passwords, mint tokens and load users; this
package only presents them. :func:`riskmon.web.app.create_app` builds the application.
"""
