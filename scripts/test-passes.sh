#!/usr/bin/env bash
# `make test`'s two passes side by side: the suite on SQLite in the background and on
# PostgreSQL with Redis in the foreground; the SQLite pass's output is printed after.
# Much of each pass is waiting (for subprocesses, mail servers, the browser, the database),
# so on a 2-core box the two together take little longer than the longer one alone: one
# after the other they took about 35 minutes on a slow day, past the 30 that CI allows.
# Each pass has its own data folder (tests/settings.py) and its own temporary files.
# Usage: scripts/test-passes.sh PYTEST DATABASE_URL REDIS_URL [PYTEST_ARGS...]
set -u
pytest=$1 database=$2 redis=$3
shift 3
log=$(mktemp)
"$pytest" -p no:cacheprovider --basetemp="$(mktemp -d)" "$@" >"$log" 2>&1 &
sqlite=$!
trap 'kill "$sqlite" 2>/dev/null' INT TERM
echo "== on PostgreSQL and Redis (the SQLite pass runs beside it; its output follows)"
DATABASE_URL="$database" REDIS_URL="$redis" "$pytest" --basetemp="$(mktemp -d)" "$@"
postgres_status=$?
wait "$sqlite"
sqlite_status=$?
echo "== on SQLite"
cat "$log"
rm -f "$log"
echo "== SQLite pass: $([ $sqlite_status = 0 ] && echo passed || echo FAILED)," \
  "PostgreSQL pass: $([ $postgres_status = 0 ] && echo passed || echo FAILED)"
[ $sqlite_status = 0 ] && [ $postgres_status = 0 ]
