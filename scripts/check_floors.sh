#!/usr/bin/env bash
# Check that the declared minimum versions of nqpf's core dependencies work.
#
# Installs nqpf into a fresh virtual environment with every direct dependency (the core and
# the [stata] and [parquet] extras, which the tests read and write files with) at the lowest version
# pyproject.toml allows (uv's --resolution lowest-direct; with plain pip, the floors pinned
# with ==), then runs the demo and a short test subset on it.
#
#   scripts/check_floors.sh [VENV_DIR]        (default: a new temporary folder)
#
# Needs Python >= 3.11 as python3 and network access to the package index; uses uv when it
# is on PATH (much faster), pip otherwise. Exit status 0 when everything passed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${1:-$(mktemp -d /tmp/nqpf-floors.XXXXXX)}"
PY=python3

echo "== fresh environment in $VENV"
if command -v uv >/dev/null 2>&1; then
  uv venv -q -p "$PY" "$VENV"
  echo "== installing nqpf with its direct dependencies at their floors (uv lowest-direct)"
  uv pip install -q -p "$VENV/bin/python" --resolution lowest-direct "$ROOT[stata,parquet]" "pytest>=8"
else
  "$PY" -m venv "$VENV"
  pins="$("$PY" - "$ROOT/pyproject.toml" <<'EOF'
import re, sys, tomllib
meta = tomllib.load(open(sys.argv[1], "rb"))["project"]
deps = meta["dependencies"] + [d for x in ("stata", "parquet") for d in meta["optional-dependencies"][x]]
print(" ".join(re.sub(r">=", "==", d) for d in deps))
EOF
)"
  echo "== installing nqpf with its direct dependencies pinned at their floors (pip)"
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install -q $pins "pytest>=8"
  "$VENV/bin/python" -m pip install -q --no-deps "$ROOT"
fi

echo "== versions installed"
"$VENV/bin/python" - "$ROOT/pyproject.toml" <<'EOF'
import re, sys, tomllib
from importlib.metadata import version
meta = tomllib.load(open(sys.argv[1], "rb"))["project"]
deps = meta["dependencies"] + [d for x in ("stata", "parquet") for d in meta["optional-dependencies"][x]]
bad = []
for d in deps:
    name, floor = re.split(r">=", d)
    got = version(name)
    print(f"  {name:14s} floor {floor:8s} installed {got}")
    if got.split("+")[0] != floor and not got.startswith(floor + "."):
        bad.append(f"{name} {got} is not its floor {floor}")
if bad:
    sys.exit("\n".join(bad))
EOF

WORK="$(mktemp -d /tmp/nqpf-floors-run.XXXXXX)"
cd "$WORK"
echo "== nqpf --version, nqpf demo"
"$VENV/bin/nqpf" --version
"$VENV/bin/nqpf" demo --out "$WORK/demo" >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; exit 1; }
tail -n 3 "$WORK/demo.log"
for f in report.html tables.xlsx manifest.json; do
  test -s "$WORK/demo/$f" || { echo "demo did not write $f"; exit 1; }
done

echo "== short test subset"
cp -r "$ROOT/tests" "$WORK/tests"
cp "$ROOT/pyproject.toml" "$WORK/"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_package.py \
  tests/index/test_weights.py tests/index/test_aggregate.py tests/index/test_engine.py \
  tests/panel/test_io.py tests/panel/test_names.py \
  tests/analysis/test_chains.py tests/analysis/test_disparity.py \
  tests/analysis/test_convergence.py \
  tests/efficiency/dea/test_published.py
echo "== floors OK"
