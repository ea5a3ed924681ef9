"""Settings from ``config.toml``.

One validated object instead of scattered look-ups: a typo in the file is caught at start-up with
the file, key and reason, rather than as a silent default deep in a nightly run.

Search order for the file: ``--config`` / ``RISKMON_CONFIG``, then ``./config.toml``. With no file
the built-in defaults apply (``config_file`` is then None), but only ``riskmon db upgrade`` creates a
database: any other command run outside a riskmon folder says which config and database it looked
for instead of leaving an empty database behind. ``RISKMON_DATABASE_URL`` overrides ``[database] url`` so tests and the
multi-user PostgreSQL deployment need no edited file.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from riskmon import errors

Lang = Literal["ja", "en"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = "sqlite:///var/riskmon.db"


class TimeConfig(_Section):
    timezone: str = "Asia/Tokyo"
    fiscal_year_start_month: int = Field(4, ge=1, le=12)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as 'Asia/Tokyo')") from exc
        return v


class CalendarConfig(_Section):
    # 年末年始 (12/29–1/3) is closed in addition to public holidays; stated as MM-DD.
    year_end_closure: list[str] = ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]
    extra_closures: list[date] = []
    business_hours_start: time = time(8, 30)
    business_hours_end: time = time(17, 15)


class IngestConfig(_Section):
    batch_size: int = Field(5000, ge=1, le=100_000)
    #: processes validating large JSONL files while the ingest writes; unset = one per usable CPU
    workers: int | None = Field(None, ge=1, le=64)


class NotifyConfig(_Section):
    """Outbox delivery by SMTP; with no host, notifications stay in the outbox and the digests."""

    smtp_host: str | None = None
    smtp_port: int = 25
    sender: str = "riskmon@localhost"
    starttls: bool = False


class DisplayConfig(_Section):
    lang: Lang = "ja"


class WebConfig(_Section):
    """The web application (riskmon/web; docs/web.md): cookie security, session lifetimes, lockout."""

    https: bool = False  # served through TLS (a reverse proxy): cookies get Secure and the __Host- prefix
    idle_minutes: int = Field(30, ge=1, le=24 * 60)
    absolute_hours: int = Field(12, ge=1, le=24 * 7)
    lockout_threshold: int = Field(5, ge=1, le=100)  # failed logins for one account before it is locked
    address_threshold: int = Field(20, ge=1, le=1000)  # failed logins from one client address before it is locked
    lockout_base_seconds: int = Field(60, ge=1)  # first lock; each further lock doubles it
    lockout_max_seconds: int = Field(3600, ge=1)
    failure_window_minutes: int = Field(15, ge=1)  # failures older than this no longer count
    proxy_headers: bool = False  # trust X-Forwarded-For from forwarded_allow_ips (behind a reverse proxy)
    forwarded_allow_ips: str = "127.0.0.1"
    api_rate_per_minute: int = Field(120, ge=1, le=100_000)  # JSON API requests per token per minute (a token bucket)
    api_burst: int = Field(30, ge=1, le=10_000)  # how many of them may come at once


#: a value rules may refer to as ``{config: section.key}``: a number, a word, or a list of them
def _rule_value(value: Any) -> Any:
    """A number, a word, or a list of them; a TOML true/false or table is no value a rule compares with."""
    scalar = (int, float, str)
    ok = isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value))
    if not ok or isinstance(value, bool) or (isinstance(value, list) and any(isinstance(v, bool) for v in value)):
        raise ValueError(f"expected a number, a word or a list of them, not {value!r}")
    return value


RuleValue = Annotated[Any, AfterValidator(_rule_value)]
#: the names such a value may have: what a rule file can spell after ``config:``
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _named_values(values: dict[str, RuleValue]) -> dict[str, RuleValue]:
    bad = [k for k in values if not _NAME.match(k)]
    if bad:
        raise ValueError(f"{', '.join(map(repr, bad))}: names are lower-case letters, digits and _ (rules write {{config: section.name}})")
    return values


class PathsConfig(_Section):
    """Where riskmon reads and writes files; relative paths are resolved against the config
    file's folder, so the CLI, the scheduler and an embedding script find the same folders
    wherever they are started from."""

    rules: Path = Path("rules")
    reports: Path = Path("var/reports")
    outbox: Path = Path("var/outbox")  # the daily digests, one file per recipient unit
    inbox: Path = Path("var/inbox")  # the nightly job ingests every .jsonl / .csv here
    uploads: Path = Path("var/uploads")  # what the web's 取込 page received, kept per ingest run (<run id>/)


class JobSchedule(_Section):
    cron: str | None = None  # crontab (5 fields) in the configured zone; None = the job's default

    @field_validator("cron")
    @classmethod
    def _crontab(cls, v: str | None) -> str | None:
        if v is not None:
            from apscheduler.triggers.cron import CronTrigger  # only a config with a schedule pays for the import

            try:
                CronTrigger.from_crontab(v)
            except ValueError as exc:
                raise ValueError(f"not a crontab expression ({exc})") from exc
        return v


class JobsConfig(_Section):
    """The scheduler (docs/scheduler.md): locks and catch-up, and a schedule per job."""

    lock_lease_seconds: float = Field(120, gt=0)
    lock_heartbeat_seconds: float = Field(30, gt=0)
    catch_up_grace_hours: float = Field(24, ge=0)
    nightly: JobSchedule = JobSchedule()
    weekly_digest: JobSchedule = JobSchedule()
    monthly_publication: JobSchedule = JobSchedule()
    committee_pack: JobSchedule = JobSchedule()
    half_year_review: JobSchedule = JobSchedule()

    def cron(self, job: str) -> str | None:
        schedule = getattr(self, job, None)
        return schedule.cron if isinstance(schedule, JobSchedule) else None


class EscalationStep(_Section):
    after_business_days: int = Field(ge=0)
    until: Literal["acknowledged", "resolved"] = "resolved"


class EscalationConfig(_Section):
    """The escalation ladder (riskmon.review.escalation)."""

    critical_start: int = Field(2, ge=1)
    #: the path for rules that name none of their own (templates over the flag's fields, unit types or ids)
    default_path: list[str] = []
    steps: list[EscalationStep] = []


class AuditConfig(_Section):
    """Where the audit key and anchors live (riskmon.audit.keys), relative to the config's folder."""

    key_file: str = "var/audit.key"
    anchors_file: str = "var/audit-anchors.jsonl"


class ReportsConfig(_Section):
    """How the committee documents present themselves (riskmon.reports): the cover's 作成部署 and
    取扱区分, and the browser that prints the PDF (docs/reports.md)."""

    department: str = Field("リスク統括部", min_length=1, max_length=64)
    department_en: str = Field("Risk Management Department", min_length=1, max_length=64)
    handling: str = Field("取扱注意", max_length=32)  # 取扱区分 on the cover; empty: none printed
    handling_en: str = Field("Handle with care", max_length=32)
    pdf: bool = True  # print a PDF beside the HTML (committees circulate PDFs)
    browser: str = "chromium"  # a Chromium-family browser, by name on PATH or by absolute path


#: the risk domains second-line powers are scoped by (issue #12, S4:41): the five risk categories of
#: the rules (riskmon.domain.RiskCategory, domain.md §6.1) and the two second-line domains the seeds
#: name beside them (外部委託 → 調達企画部, compliance → コンプライアンス部; domain.md §6.1 [I]).
#: riskmon.config may not import riskmon.domain (import-linter), so tests/test_config_powers.py
#: keeps this list and RiskCategory in step.
RISK_DOMAINS = ("administrative", "reputational", "system", "information_security", "disaster_other", "outsourcing", "compliance")
#: the unit types of the second line (S4:41 and riskmon.events.enums.DEFAULT_LINE): the only units
#: a domain can be owned by — a first-line office or the 監査部 owning one would undo the three lines
SECOND_LINE_UNIT_TYPES = ("risk_management_department", "business_quality_management_department", "procurement_planning_department",
                          "information_management_office", "system_planning_department", "compliance_department", "csirt")  # fmt: skip
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9_-]{0,15}$")


def _owners(value: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every domain known and owned by at least one second-line unit type, each known."""
    problems = [f"unknown risk domain {k!r} (known: {', '.join(RISK_DOMAINS)})" for k in value if k not in RISK_DOMAINS]
    problems += [f"{k}: no owning unit" for k, units in value.items() if not units]
    problems += [f"{k}: unknown second-line unit type {u!r} (known: {', '.join(SECOND_LINE_UNIT_TYPES)})"
                 for k, units in value.items() for u in units if u not in SECOND_LINE_UNIT_TYPES]  # fmt: skip
    if problems:
        raise ValueError("; ".join(problems))
    return value


def _rule_domains(value: dict[str, list[str]]) -> dict[str, list[str]]:
    problems = [f"unknown risk domain {k!r} (known: {', '.join(RISK_DOMAINS)})" for k in value if k not in RISK_DOMAINS]
    problems += [f"{k}: {r!r} is not a rule id" for k, ids in value.items() for r in ids if not _RULE_ID.match(r)]
    seen: dict[str, str] = {}
    for k, ids in value.items():
        for r in ids:
            if r in seen and seen[r] != k:
                problems.append(f"rule {r} is in two domains ({seen[r]}, {k})")
            seen[r] = k
    if problems:
        raise ValueError("; ".join(problems))
    return value


class PowersConfig(_Section):
    """Second-line powers scoped by risk domain (issue #12; S4:41; riskmon.review.domains, docs/review.md).

    A flag's domain is its rule's entry in ``rule_domains``, else its ``risk_category``; only the
    second-line unit types that own that domain (``domains``) may resolve, dismiss or accept its
    risk alone, and one of a four-eyes pair must belong to them. Accepting the risk of a
    重点三事案 or a 事件・事故 (``executive_approval_rules``, or a flag whose evidence says so) also
    needs an executive's approval recorded on the case (「根絶」, S1:2108)."""

    domains: Annotated[dict[str, list[str]], AfterValidator(_owners)] = {
        "administrative": ["risk_management_department"],  # 事務リスク: リスク統括部 is the 主管部 (S1:2245)
        "reputational": ["risk_management_department"],  # 信頼リスク, with 事務リスク (S1:2243)
        "information_security": ["information_management_office"],  # S1:2225-2233
        "system": ["system_planning_department"],  # S1:2235-2241 names no owner (assumed, domain.md §1.2 [I])
        "disaster_other": ["risk_management_department"],  # no owner in the seeds (assumed)
        "outsourcing": ["procurement_planning_department"],  # 調達企画部 reviews the inspections (S1:2326-2328)
        "compliance": ["compliance_department"],  # domain.md §1.2 [I]
    }
    #: rules whose domain is not their risk_category: the 外部委託 rules (inspections, contracts,
    #: 調達企画部's reviews) are 事務 or 情報セキュリティ risks owned as outsourcing
    rule_domains: Annotated[dict[str, list[str]], AfterValidator(_rule_domains)] = {
        "outsourcing": ["R08", "R09", "R10", "R11", "R12", "R38", "R40", "R41"],
    }
    #: rules whose flags are 重点三事案 or 事件・事故 matters whatever their evidence says: R02 (a
    #: 重点三事案) and R07 (more 重点三事案 than last year)
    executive_approval_rules: list[Annotated[str, Field(pattern=_RULE_ID.pattern)]] = ["R02", "R07"]

    def owners(self, domain: str) -> tuple[str, ...]:
        """The unit types that own ``domain`` (none: nobody may close its flags alone)."""
        return tuple(self.domains.get(domain, ()))

    def domain_of(self, rule_id: str, risk_category: str) -> str:
        """A flag's risk domain: its rule's ``rule_domains`` entry, else its risk category."""
        return next((d for d, ids in self.rule_domains.items() if rule_id in ids), risk_category)


_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_CLAIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _issuer(value: str) -> str:
    """https, or http only for a provider on this machine (the tests' provider on 127.0.0.1); no
    query or fragment (OpenID Connect Discovery §3: the issuer is an https URL without them)."""
    parts = urlsplit(value)
    if not (parts.scheme == "https" and parts.hostname) and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ValueError("the issuer must be an https:// URL (http:// only for a provider on 127.0.0.1 or localhost)")
    if parts.query or parts.fragment:
        raise ValueError("the issuer has no query or fragment")
    return value


def _base_url(value: str | None) -> str | None:
    if value is not None and (not re.match(r"^https?://[^/?#]+$", value)):
        raise ValueError("the address users reach riskmon at, as scheme://host[:port] with no path (e.g. https://riskmon.example.internal)")
    return value


class SsoConfig(_Section):
    """Single sign-on with the agency's OpenID Connect provider (riskmon.accounts.oidc; docs/security.md).

    Only the *name* of the environment variable holding the client secret is written here, never
    the secret. The provider proves who someone is; riskmon's users master still says whether they
    may come in and with which unit and role."""

    issuer: Annotated[str, AfterValidator(_issuer)]
    client_id: str = Field(min_length=1, max_length=255)
    #: the environment variable that holds the client secret (read when the web application starts)
    client_secret_env: str = Field(pattern=_ENV_NAME.pattern, max_length=64)
    #: the claim whose value is the riskmon user id; ``email`` is looked up in the users' e-mail column instead
    user_claim: str = Field("preferred_username", pattern=_CLAIM.pattern)
    scopes: list[str] = ["openid", "profile", "email"]
    #: false: the provider is the only way in (no password login on the web, no token by password)
    local_passwords: bool = True
    #: where users reach riskmon (the callback and logout addresses registered with the provider);
    #: unset: taken from each request (behind a proxy: [web] proxy_headers)
    base_url: Annotated[str | None, AfterValidator(_base_url)] = None
    timeout_seconds: float = Field(10, gt=0, le=120)  # each call to the provider

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if not re.match(r"^[\x21\x23-\x5b\x5d-\x7e]+$", s)]
        if bad:
            raise ValueError(f"not a scope: {', '.join(map(repr, bad))}")
        if "openid" not in v:
            raise ValueError("the scopes must include 'openid' (without it the provider sends no ID token)")
        return v

    def client_secret(self, file: Path | None) -> str:
        """The secret from the environment; a :class:`ConfigError` naming the file, the key and the
        variable when it is not set (the web application does not start without it)."""
        secret = os.environ.get(self.client_secret_env, "")
        if not secret:
            where = file or DEFAULT_CONFIG
            raise ConfigError(f"{where}: sso.client_secret_env: the environment variable {self.client_secret_env} is not set "
                              "(the client secret is given in the environment, never in the file)",
                              f"{where}: sso.client_secret_env: 環境変数{self.client_secret_env}が設定されていません"
                              "（クライアントシークレットはファイルに書かず、環境変数で渡します）")  # fmt: skip
        return secret


class Settings(_Section):
    database: DatabaseConfig = DatabaseConfig()
    time: TimeConfig = TimeConfig()
    calendar: CalendarConfig = CalendarConfig()
    ingest: IngestConfig = IngestConfig()
    display: DisplayConfig = DisplayConfig()
    notify: NotifyConfig = NotifyConfig()
    web: WebConfig = WebConfig()
    paths: PathsConfig = PathsConfig()
    reports: ReportsConfig = ReportsConfig()
    # free-form name → value tables the rules refer to as {config: deadlines.name}
    deadlines: Annotated[dict[str, RuleValue], AfterValidator(_named_values)] = {}
    thresholds: Annotated[dict[str, RuleValue], AfterValidator(_named_values)] = {}
    # the feeds' periods and thresholds (お客様の声, 監査 findings; issue #12), as {config: feeds.name}
    feeds: Annotated[dict[str, RuleValue], AfterValidator(_named_values)] = {}
    escalation: EscalationConfig = EscalationConfig()
    jobs: JobsConfig = JobsConfig()
    audit: AuditConfig = AuditConfig()
    powers: PowersConfig = PowersConfig()
    sso: SsoConfig | None = None  # [sso]: OpenID Connect login; absent, passwords only
    base_dir: Path = Path(".")
    #: the file these settings came from; None when none was found and the defaults apply (the
    #: CLI names it, so a command run in the wrong folder says what it looked for)
    config_file: Path | None = None

    def path(self, name: Literal["rules", "reports", "outbox", "inbox", "uploads"]) -> Path:
        """A ``[paths]`` entry resolved against the config file's folder."""
        value: Path = getattr(self.paths, name)
        return value if value.is_absolute() else self.base_dir / value

    @property
    def local_passwords(self) -> bool:
        """Whether a password proves who someone is (off only with ``[sso] local_passwords = false``)."""
        return self.sso is None or self.sso.local_passwords

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time.timezone)

    @property
    def rule_values(self) -> dict[str, Any]:
        """What rule files may refer to as ``{config: section.key}``."""
        return {"deadlines": self.deadlines, "thresholds": self.thresholds, "feeds": self.feeds}

    @property
    def default_escalation(self) -> tuple[str, ...]:
        """The escalation path used by rules that do not name their own."""
        return tuple(self.escalation.default_path)

    @property
    def database_url(self) -> str:
        """The URL with a relative SQLite path resolved against the config file's folder."""
        url = os.environ.get("RISKMON_DATABASE_URL") or self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str((self.base_dir / url[len(prefix) :]).resolve())
        return url


#: where the config is looked for when neither --config nor RISKMON_CONFIG names one
DEFAULT_CONFIG = Path("config.toml")


class ConfigError(errors.ConfigError):
    """A config file that cannot be used, with every problem in ``file: key: reason`` form.

    ``str()`` is the English wording; ``ja`` the Japanese one (the CLI picks by --lang)."""

    def __init__(self, en: str, ja: str | None = None) -> None:
        super().__init__(ja or en, en)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate the config file (see module docstring for the search order)."""
    chosen = path or os.environ.get("RISKMON_CONFIG")
    file = Path(chosen) if chosen else DEFAULT_CONFIG
    if not file.exists():
        if chosen:
            raise ConfigError(f"{file}: config file not found", f"{file}: 設定ファイルが見つかりません")
        return Settings()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: {exc}", f"{file}: TOML として読めません：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 (byte {exc.start})", f"{file}: UTF-8ではありません（{exc.start}バイト目）") from exc
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read: {exc.strerror}", f"{file}: 読めません：{exc.strerror}") from exc
    try:
        return Settings.model_validate({**data, "base_dir": file.resolve().parent, "config_file": file.resolve()})
    except ValidationError as exc:
        lines = [f"{file}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError("\n".join(lines), "設定ファイルに誤りがあります：\n" + "\n".join(lines)) from exc
