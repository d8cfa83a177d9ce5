#!/bin/sh
# One-shot (temporalio/admin-tools): creates Temporal's two databases on temporal-db and brings their schemas
# to the version the server image expects. Idempotent: `create` of an existing database fails harmlessly and
# update-schema applies only what is missing, so it runs on every `docker compose up`.
set -eu
TOOL="temporal-sql-tool --plugin postgres12 --ep temporal-db -p 5432 -u ${POSTGRES_USER}"
SCHEMA=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  $TOOL --db "$db" create 2>/dev/null || echo "database $db exists"
  $TOOL --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already set up"
  $TOOL --db "$db" update-schema -d "$SCHEMA/$dir/versioned"
done
echo "Temporal schemas ready"
