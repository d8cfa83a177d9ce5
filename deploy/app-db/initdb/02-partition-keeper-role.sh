#!/usr/bin/env bash
# Creates the partition_keeper login role with the password from the Docker secret and applies the
# least-privilege grants (partition-keeper-grants.psql, next to this file). Run once by the postgres
# image on an empty volume; the image skips the .psql file itself.
set -euo pipefail
password_file=${PK_DB_PASSWORD_FILE:-/run/secrets/pk_db_password}
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pk_password="$(tr -d '\r\n' < "$password_file")" \
  -f "$(dirname "$0")/partition-keeper-grants.psql"
