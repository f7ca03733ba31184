"""Tables (xlsx, csv, LaTeX, dta), figures, maps and the bilingual HTML report of a study."""

from .._lazy import exports

_NAMES = {"write_tables": ".tables", "write_report": ".html", "render_report": ".html"}
__all__ = ["render_report", "write_report", "write_tables"]
__getattr__, __dir__ = exports(__name__, _NAMES)
