"""Passwords, sessions, API tokens, CSRF and the login rate limit.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's
  second recommended profile); the hash carries its parameters, so a later
  change of parameters rehashes on the next login.
- A browser logs in once and gets a session cookie holding 32 random bytes;
  the database keeps only their SHA-256, so a copy of the database cannot be
  replayed as a cookie. The cookie is HttpOnly and SameSite=Strict, Secure
  over https. Every state-changing request made with the cookie must repeat
  the session's CSRF token in the ``X-CSRF-Token`` header.
- Machines send ``Authorization: Bearer <token>``; tokens are stored hashed
  the same way and are exempt from CSRF (a browser never adds that header on
  its own).
- Failed logins are counted per user name and per client address in a sliding
  window; past the limit the login answers 429 until the window has passed.
- Nothing here logs a password, a token or a hash; :class:`RedactingFilter`
  masks them should a library try.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
SESSION_COOKIE = "nqpf_session"
CSRF_HEADER = "X-CSRF-Token"
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def check_password_strength(password: str) -> str | None:
    """A message saying what is wrong with a new password, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"password too short: use at least {MIN_PASSWORD} characters"
    if len(set(password)) < 4:
        return "password too simple: use at least four different characters"
    return None


def generate_password() -> str:
    """A random password of 16 URL-safe characters (~96 bits)."""
    return secrets.token_urlsafe(12)


def new_token() -> tuple[str, str]:
    """A random token and its SHA-256 (what the database keeps)."""
    tok = secrets.token_urlsafe(32)
    return tok, token_hash(tok)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LoginLimiter:
    """At most ``max_failures`` failed logins per key within ``window`` seconds."""

    def __init__(self, max_failures: int, window: float):
        self.max_failures = max_failures
        self.window = window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> float:
        """Seconds until a login may be tried again (0 when it may now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window - (now - q[0])
                for q in (self._recent(k, now) for k in keys)
                if len(q) >= self.max_failures
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


_SECRET_RE = re.compile(
    r"(?i)(password|passwd|token|secret|authorization|cookie|nqpf_session)"
    r"(\"?\s*[:=]\s*\"?(?:Bearer\s+|Basic\s+)?)([^\s\",&;]+)"
)


def redact(text: str) -> str:
    """Mask the value of anything that looks like ``password=…`` or ``token: …``."""
    return _SECRET_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is passed through as is
            return True
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        return True
