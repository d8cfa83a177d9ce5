#!/usr/bin/env bash
# The managed database's demo schema for docker-compose, run once by the postgres image on an empty volume:
# the roles (demo-roles.psql), then, as the tables' owner app_owner, the demo table (demo-transactions.psql, the
# one definition `dev` and the benchmarks use too) with its partitions and rows (demo-transactions-rows.psql),
# then the application's grants. The image itself skips the .psql files.
set -euo pipefail
here=$(dirname "$0")
PSQL=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB")
"${PSQL[@]}" -f "$here/demo-roles.psql"
"${PSQL[@]}" -c "SET ROLE app_owner" -f "$here/demo-transactions.psql" -f "$here/demo-transactions-rows.psql"
"${PSQL[@]}" -c "GRANT SELECT, INSERT, UPDATE, DELETE ON public.transactions TO app"
