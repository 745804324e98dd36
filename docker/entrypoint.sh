#!/bin/sh
# Reads the Postgres password from its Docker secret into the variable dagster.yaml names, so
# that it never sits in compose.yaml, an image layer or `docker inspect`.
set -eu
if [ -n "${DAGSTER_PG_PASSWORD_FILE:-}" ]; then
    DAGSTER_PG_PASSWORD="$(cat "$DAGSTER_PG_PASSWORD_FILE")"
    export DAGSTER_PG_PASSWORD
fi
exec "$@"
