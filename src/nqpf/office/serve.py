"""Running an office with uvicorn (``nqpf office serve DIR``)."""

from __future__ import annotations

import logging
from pathlib import Path


def serve(folder: str | Path, host: str = "127.0.0.1", port: int = 8000,
          log_level: str = "info") -> None:
    """Serve the office in ``folder`` until interrupted (Ctrl+C)."""
    import uvicorn

    from .app import create_app

    app = create_app(folder)
    logging.getLogger("nqpf").setLevel(log_level.upper())
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False,
                server_header=False, timeout_graceful_shutdown=10)


if __name__ == "__main__":  # python -m nqpf.office.serve DIR [PORT]
    import sys

    serve(sys.argv[1], port=int(sys.argv[2]) if len(sys.argv) > 2 else 8000,
          log_level=sys.argv[3] if len(sys.argv) > 3 else "warning")
