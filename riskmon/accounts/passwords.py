"""Password hashing (argon2id), the password policy and one-time passwords.

Why here and not in the users master: the users file is edited and reloaded by administrators;
a password must never travel through it. The policy is length-based (NIST SP 800-63B): at least
12 characters, not a well-known password and not the user id — composition rules only push people
to ``Password1!``.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; this only bounds the work one request can ask for
_COMMON = Path(__file__).with_name("common_passwords.txt")
# No 0/O, 1/l/I: a generated password is read off a screen and typed in once.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_hasher = PasswordHasher()  # argon2id with the RFC 9106 low-memory parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so both cases cost the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def policy_problems(password: str, user_id: str) -> list[tuple[str, str]]:
    """Why ``password`` is not acceptable, as (Japanese, English) pairs; empty when it is."""
    problems: list[tuple[str, str]] = []
    if len(password) < MIN_LENGTH:
        problems.append((f"パスワードは{MIN_LENGTH}文字以上にしてください（現在{len(password)}文字）",
                         f"the password must be at least {MIN_LENGTH} characters (it has {len(password)})"))  # fmt: skip
    if len(password) > MAX_LENGTH:
        problems.append((f"パスワードは{MAX_LENGTH}文字以内にしてください", f"the password must be at most {MAX_LENGTH} characters"))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        problems.append(("よく使われるパスワードのため使えません", "this password is too common"))
    if user_id and user_id.lower() in lowered:
        problems.append(("パスワードに利用者IDを含めないでください", "the password must not contain the user id"))
    return problems


def generate_password(length: int = 16) -> str:
    """A one-time password (about 93 bits), to be changed at first login."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
