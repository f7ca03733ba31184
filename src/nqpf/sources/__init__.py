"""Public statistics in: World Bank WDI, Penn World Table, CEADs, yearbook exports, data packs."""

from .._lazy import exports

_NAMES = {
    "fetch_wdi": ".wdi", "read_pwt": ".readers", "read_ceads": ".readers",
    "read_yearbook_long": ".readers", "load_data": ".pack", "read_pack": ".pack",
    "write_pack": ".pack",
}
__all__ = ["fetch_wdi", "load_data", "read_ceads", "read_pack", "read_pwt",
           "read_yearbook_long", "write_pack"]
__getattr__, __dir__ = exports(__name__, _NAMES)
