"""Public statistics in: World Bank WDI, Penn World Table, CEADs, yearbook tables, data packs."""
