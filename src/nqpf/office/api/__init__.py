"""The office's JSON API (version 1), one router per concern.

All routes live under ``/api/v1``; errors are JSON objects
``{"error": code, "message": text, "detail": ...}`` with the HTTP status of
:mod:`nqpf.office.errors` (401 not logged in, 403 not allowed, 404, 409 wrong
state, 413 too large, 422 invalid, 429 too many login attempts).
"""
