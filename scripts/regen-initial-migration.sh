#!/usr/bin/env bash
# Until the first release, the schema lives in one migration, 0001. After changing
# meters/schema.py, run this to regenerate it from the models (autogenerate on an empty db).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f meters/migrations/versions/0001_initial_schema.py
.venv/bin/python - "$tmp/gen.db" <<'PY'
import sys
from alembic import command
from meters.database import alembic_config
command.revision(alembic_config(f"sqlite:///{sys.argv[1]}"), message="initial schema",
                 autogenerate=True, rev_id="0001")
PY
.venv/bin/ruff format -q meters/migrations/versions/0001_initial_schema.py
.venv/bin/ruff check -q --fix meters/migrations/versions/0001_initial_schema.py || true
