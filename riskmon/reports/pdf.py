"""The committee pack as a PDF, printed by Chromium from the pack's own HTML.

Committees circulate PDFs. Rather than a second layout engine with its own idea of Japanese line
breaking, the PDF is the HTML printed by the browser the agency already uses: the page size,
margins, page numbers (CSS ``@page`` margin boxes), headings kept with what follows and the
Japanese fonts all come from the HTML's print stylesheet, so the HTML seen on screen and the PDF
a committee reads cannot drift apart. Debian's ``chromium`` with ``fonts-noto-cjk`` renders it on a
server (``make setup`` installs both when run as root).

A pack regenerated later must be byte-identical; Chromium writes the print time into the PDF's
``/CreationDate`` and ``/ModDate``, and nothing else varies between runs, so both are re-stamped
with the pack's data date (same length: the file's cross-reference offsets stay valid).

No browser, or a browser that fails, is an expected situation on a bare server: it raises
:class:`PdfUnavailable` with the reason in both languages, after the other files were written.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from riskmon.errors import RiskmonError

#: how riskmon starts Chromium wherever it does (this print, the browser tests, the README's
#: screenshots: tests/web/chromium.py imports this): no sandbox (containers, root), no GPU, and
#: nothing that reaches the network on its own
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: a headless, offline print without the browser's own header and footer (the pack prints its page numbers)
CHROMIUM_FLAGS = ("--headless", *BROWSER_ARGS, "--no-pdf-header-footer")
_STAMP = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d{2}'\d{2}'\)")
TIMEOUT_SECONDS = 120


class PdfUnavailable(RiskmonError):
    """The PDF could not be printed (no browser, or the browser failed); the other files exist."""


def browser_path(name: str) -> Path:
    """The browser ``name`` names: an absolute path, or a command on PATH."""
    found = name if Path(name).is_absolute() and Path(name).exists() else shutil.which(name)
    if not found:
        raise PdfUnavailable(
            f"PDF を作成できません：ブラウザ「{name}」が見つかりません（config.toml [reports] browser）。"
            "Debian では chromium と fonts-noto-cjk を導入してください。HTML・Markdown・xlsx は作成済みです。",
            f"cannot print the PDF: browser {name!r} not found ([reports] browser in config.toml); "
            "on Debian install chromium and fonts-noto-cjk. The HTML, Markdown and xlsx were written.",
        )
    return Path(found)


def print_pdf(html: Path, pdf: Path, stamp: datetime, browser: str = "chromium") -> Path:
    """Print ``html`` to ``pdf`` with the document dates set to ``stamp`` (the pack's data date)."""
    exe = browser_path(browser)
    with tempfile.TemporaryDirectory(prefix="riskmon-pdf-") as profile:
        out = Path(profile) / "out.pdf"
        cmd = [str(exe), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}", html.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _failed(str(exc)) from exc
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            last_line = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise _failed(last_line[0] if last_line else f"exit {done.returncode}")
        data = out.read_bytes()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    part = pdf.with_name(pdf.name + ".part")  # a crash mid-write never leaves a half PDF under the real name
    part.write_bytes(restamp(data, stamp))
    part.replace(pdf)
    return pdf


def restamp(data: bytes, stamp: datetime) -> bytes:
    """``data`` with its creation and modification dates set to ``stamp`` (in UTC, same length)."""
    when = stamp.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    return _STAMP.sub(lambda m: b"/" + m.group(1) + b" (" + when + b")", data)


def _failed(text: str) -> PdfUnavailable:
    return PdfUnavailable(
        f"PDF を作成できません：ブラウザが失敗しました（{text}）。HTML・Markdown・xlsx は作成済みです。",
        f"cannot print the PDF: the browser failed ({text}). The HTML, Markdown and xlsx were written.",
    )
