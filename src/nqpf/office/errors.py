"""Errors of the office, each with the HTTP status the API answers it with."""

from __future__ import annotations

from typing import Any

from ..errors import NqpfError


class OfficeError(NqpfError):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, detail: Any = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotLoggedIn(OfficeError):
    status, code = 401, "not_logged_in"


class Forbidden(OfficeError):
    status, code = 403, "forbidden"


class NotFound(OfficeError):
    status, code = 404, "not_found"


class Conflict(OfficeError):
    status, code = 409, "conflict"


class TooLarge(OfficeError):
    status, code = 413, "too_large"


class Invalid(OfficeError):
    status, code = 422, "invalid"


class TooManyAttempts(OfficeError):
    status, code = 429, "too_many_attempts"
