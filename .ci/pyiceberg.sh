#!/usr/bin/env bash
# Installs pyiceberg (the independent Iceberg reader of IcebergPyicebergReadTest), pinned with the SQL catalog
# (SQLAlchemy + psycopg2) and pyarrow, into a virtualenv outside the repo when it is missing. Prints the
# virtualenv's python. Nothing is downloaded at test run time: the test only looks for this python
# (PK_PYICEBERG_PYTHON, then the path below).
set -euo pipefail
VERSION=0.12.0
VENV=${PK_PYICEBERG_VENV:-$HOME/.cache/partition-keeper/pyiceberg}
PY=$VENV/bin/python
if [ -x "$PY" ] && "$PY" -c "import pyiceberg, sys; sys.exit(0 if pyiceberg.__version__ == '$VERSION' else 1)" 2>/dev/null; then
  echo "$PY"
  exit 0
fi
echo "installing pyiceberg==$VERSION into $VENV" >&2
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "pyiceberg[sql-postgres,pyarrow]==$VERSION" "sqlalchemy==2.0.44" "psycopg2-binary==2.9.13" "pyarrow==22.0.0" >&2
"$PY" -c "import pyiceberg; print('pyiceberg', pyiceberg.__version__)" >&2
echo "$PY"
