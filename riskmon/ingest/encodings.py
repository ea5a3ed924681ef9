"""Which text encoding a CSV file is in: UTF-8 (with or without a byte-order mark) or CP932.

Why: Japanese Excel saves 「CSV（コンマ区切り）」 as Shift_JIS (CP932) and 「CSV UTF-8」 as UTF-8
with a byte-order mark; offices send both. The file is read as a stream, so the encoding is decided
on a prefix — the first line that is not plain ASCII and what follows it, up to
:data:`LOOKAHEAD` bytes: UTF-8 if that decodes as UTF-8, else CP932 if it decodes as CP932. Nothing
is guessed silently: the summary says which encoding each file was read as, a prefix that is
neither is one file-level reject that says how to save the file, and a later line that does not
decode in the chosen encoding stops the file there with a reject naming that line.
"""

from __future__ import annotations

import codecs
import io
import zlib

from riskmon.events.reasons import Reason
from riskmon.i18n import label

__all__ = ["ENCODINGS", "LOOKAHEAD", "READ_ERRORS", "EncodingProblem", "LineTap", "decide", "late_line", "neither", "utf16"]

#: What a damaged file raises while it is read: gzip's own errors, zlib's, and the OS's.
READ_ERRORS = (OSError, EOFError, zlib.error)

#: How many bytes after the first non-ASCII line the decision reads.
LOOKAHEAD = 64 * 1024

#: The encodings a file can be read as; the summary names them by ``riskmon.i18n.label``.
ENCODINGS = ("utf-8", "utf-8-sig", "cp932")

_SAVE_JA = "Excel で『名前を付けて保存』を選び、ファイルの種類『CSV UTF-8（コンマ区切り）(*.csv)』で保存し直してください"
_SAVE_EN = "in Excel use Save As and choose the file type 'CSV UTF-8 (Comma delimited) (*.csv)'"


class EncodingProblem(ValueError):
    """A line the file's encoding cannot read; ``reason`` says which and how to save the file."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.en)
        self.reason = reason


def decide(first: bytes, sample: bytes) -> str | None:
    """The encoding a file is read in, from its first line that is not ASCII (``first``) and the
    lines after it (``sample``, starting with ``first``): UTF-8 when either decodes as UTF-8, else
    CP932 when either decodes as CP932, else None.

    UTF-8 is tried on both before CP932 on either, because UTF-8 is strict and CP932 is not:
    Japanese text in UTF-8 nearly always also decodes as CP932 (as garbage), while CP932 text
    almost never decodes as UTF-8. A file that starts in UTF-8 and later holds a CP932 line is
    therefore read as UTF-8 and stopped at that line, never read whole as garbage."""
    for encoding in ("utf-8", "cp932"):
        for text in (sample, first):
            try:
                codecs.decode(text, encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def neither(line: int) -> Reason:
    return Reason(
        "",
        "encoding_unknown",
        f"{line}行目がUTF-8でもShift_JIS（CP932）でも読めません。{_SAVE_JA}",
        f"line {line} is neither UTF-8 nor Shift_JIS (CP932); {_SAVE_EN}",
    )


def utf16() -> Reason:
    return Reason(
        "",
        "encoding_utf16",
        f"UTF-16（Excel の『Unicode テキスト』）で保存されています。{_SAVE_JA}",
        f"is saved as UTF-16 (Excel's 'Unicode Text'); {_SAVE_EN}",
    )


def late_line(encoding: str, line: int, decided_at: int) -> Reason:
    """A line after the decision that the chosen encoding cannot read: the file mixes encodings."""
    ja_name, en_name = label(encoding, "ja"), label(encoding, "en")
    return Reason(
        "",
        "encoding_mixed",
        f"{line}行目が{ja_name}として読めません（{decided_at}行目からの内容で{ja_name}と判断しました）。"
        f"文字コードが混在しています。{_SAVE_JA}",
        f"line {line} cannot be read as {en_name} (the file was recognised as {en_name} from line {decided_at} on);"
        f" it mixes encodings: {_SAVE_EN}",
    )


class LineTap:
    """Feeds decoded lines to ``csv.reader`` and remembers them, so each row's raw text and first
    line number are known even when a quoted cell spans several lines.

    Lines are decoded one by one in the file's encoding (riskmon.ingest.encodings: decided on the
    first line that is not ASCII and what follows it; a UTF-8 byte-order mark decides at once and
    is dropped), so a line the encoding cannot read, or a read that fails, ends the input exactly
    there: :attr:`error` keeps why, and :attr:`done` counts the lines of rows already taken.
    """

    def __init__(self, stream: io.BufferedIOBase, *, cp932: bool = True) -> None:
        self._lines = iter(stream)
        self.cp932 = cp932  # False: UTF-8 only, as the users and units masters are read
        self._ahead: list[bytes] = []  # lines read to decide the encoding, not yet handed on
        self._late: BaseException | None = None  # a read error met while looking ahead
        self.pending: list[str] = []  # the lines of the row being read
        self._again: list[str] = []  # lines handed back by take(), read again first
        self.done = 0
        self.error: BaseException | None = None
        self.error_line = 0  # the line that could not be read
        self.encoding: str | None = None  # None while every line so far is ASCII
        self.decided_at = 0  # the line the encoding was decided on

    @property
    def encoding_name(self) -> str:
        """How the file was read ("utf-8" for a file that is all ASCII, which is UTF-8 too)."""
        return self.encoding or "utf-8"

    def __iter__(self) -> LineTap:
        return self

    def __next__(self) -> str:
        if self._again:
            line = self._again.pop(0)
        elif self.error is not None:
            raise StopIteration
        else:
            number = self.done + len(self.pending) + 1
            try:
                line = self._decode(self._next_raw(), number)
            except (UnicodeDecodeError, EncodingProblem, *READ_ERRORS) as exc:
                self.error, self.error_line = exc, number
                raise StopIteration from None
        self.pending.append(line)
        return line

    def _next_raw(self) -> bytes:
        if self._ahead:
            return self._ahead.pop(0)
        if self._late is not None:
            late, self._late = self._late, None
            raise late
        return next(self._lines)

    def _decode(self, raw: bytes, number: int) -> str:
        if not self.cp932:  # a line that is not UTF-8 raises UnicodeDecodeError: the reader's not_utf8
            line = raw.decode("utf-8")
            if number == 1 and line.startswith("\ufeff"):
                self.encoding, line = "utf-8-sig", line[1:]
            return line
        if number == 1:
            if raw.startswith(codecs.BOM_UTF8):
                self.encoding, self.decided_at, raw = "utf-8-sig", 1, raw[3:]
            elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise EncodingProblem(utf16())
        if self.encoding is None:
            if raw.isascii():
                return raw.decode("ascii")
            self.encoding, self.decided_at = self._decide(raw, number), number
        try:
            return raw.decode("utf-8" if self.encoding == "utf-8-sig" else self.encoding)
        except UnicodeDecodeError:
            raise EncodingProblem(late_line(self.encoding, number, self.decided_at)) from None

    def _decide(self, first: bytes, number: int) -> str:
        """The encoding of the file from its first non-ASCII line on (riskmon.ingest.encodings)."""
        size = len(first)
        while size < LOOKAHEAD:
            try:
                line = next(self._lines)
            except StopIteration:
                break
            except READ_ERRORS as exc:
                self._late = exc
                break
            self._ahead.append(line)
            size += len(line)
        chosen = decide(first, first + b"".join(self._ahead))
        if chosen is None:
            raise EncodingProblem(neither(number))
        return chosen

    def take(self, keep: int | None = None) -> tuple[int, str]:
        """The row read so far (its first ``keep`` lines) with its first line number; the other
        lines are handed back to be read again."""
        keep = len(self.pending) if keep is None else keep
        start, raw = self.done + 1, "".join(self.pending[:keep])
        self._again[:0] = self.pending[keep:]
        self.done += keep
        self.pending.clear()
        return start, raw
