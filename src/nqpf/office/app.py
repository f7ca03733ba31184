"""The FastAPI application of one office folder.

``create_app(DIR)`` opens the office (refusing an out-of-date schema), starts
the run worker, and serves the JSON API under ``/api/v1`` with
``/openapi.json`` (and ``/docs``) and ``/health``. CORS is closed unless the
settings list allowed origins. Request bodies larger than the upload limit are
refused with 413 before they are parsed.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..errors import NqpfError
from .api import auth, collect, results, setup
from .context import OfficeContext
from .errors import OfficeError
from .office import office_name, open_office
from .runs import Worker
from .security import RedactingFilter

API_TITLE = "nqpf office"


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes (declared or streamed)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(send, self.limit)
        seen = 0

        async def counting():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return msg

        try:
            return await self.app(scope, counting, send)
        except _BodyTooLarge:
            return await _too_large(send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send, limit: int) -> None:
    body = (b'{"error":"too_large","message":"the request is larger than the limit of '
            + str(limit).encode() + b' bytes","detail":null}')
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _install_log_redaction() -> None:
    f = RedactingFilter()
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "nqpf", "sqlalchemy.engine"):
        lg = logging.getLogger(name)
        if not any(isinstance(x, RedactingFilter) for x in lg.filters):
            lg.addFilter(f)


def create_app(folder: str | Path, *, worker: bool = True) -> FastAPI:
    """The application serving the office in ``folder``."""
    folder = Path(folder)
    settings, db = open_office(folder)
    ctx = OfficeContext(folder=folder, settings=settings, db=db)
    _install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if worker:
            ctx.worker = Worker(db, folder)
            ctx.worker.start()
        try:
            yield
        finally:
            if ctx.worker:
                ctx.worker.stop()
            db.dispose()

    app = FastAPI(title=API_TITLE, version="1", lifespan=lifespan,
                  description=f"{office_name(db) or settings.name}: submissions, periods, "
                              "runs and results of the evaluation office.")
    app.state.office = ctx
    for r in (auth.router, setup.router, collect.router, results.router):
        app.include_router(r)

    @app.get("/health", tags=["health"])
    def health() -> dict:
        """200 when the server answers and its database does."""
        with db.engine.connect() as c:
            c.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.exception_handler(OfficeError)
    async def _office_error(request: Request, exc: OfficeError) -> JSONResponse:
        headers = {}
        if exc.status == 429 and isinstance(exc.detail, dict):
            headers["Retry-After"] = str(exc.detail.get("retry_after", 60))
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse({"error": exc.code, "message": exc.message, "detail": exc.detail},
                            status_code=exc.status, headers=headers)

    @app.exception_handler(NqpfError)
    async def _nqpf_error(request: Request, exc: NqpfError) -> JSONResponse:
        return JSONResponse({"error": "invalid", "message": str(exc), "detail": None},
                            status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [{"where": ".".join(str(x) for x in e["loc"]), "message": e["msg"]}
                for e in exc.errors()]
        first = errs[0] if errs else {"where": "?", "message": "invalid request"}
        return JSONResponse({"error": "invalid",
                             "message": f"{first['where']}: {first['message']}",
                             "detail": errs}, status_code=422)

    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_credentials=True, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"])
    app.add_middleware(BodyLimit, limit=settings.upload_max_bytes + 256 * 1024)
    return app
