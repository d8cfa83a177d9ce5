#!/bin/sh
# One-shot (temporalio/admin-tools): waits for the frontend, then creates the namespace the worker uses when
# it does not exist yet (the plain server image, unlike the dev server, creates none).
set -eu
NS=${TEMPORAL_NAMESPACE:-default}
i=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS not healthy after 60 tries"; exit 1; }
  sleep 2
done
temporal operator namespace describe -n "$NS" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create -n "$NS" --retention 7d --address "$TEMPORAL_ADDRESS"
echo "namespace $NS ready"
