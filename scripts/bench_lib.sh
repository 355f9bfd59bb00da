# scripts/bench_lib.sh, sourced by the benchmark scripts after they set BENCH (their name in
# messages): the connection settings of scripts/db_url.sh and what both scripts do with them.
. scripts/db_url.sh
export PGPASSWORD=$DB_PASSWORD
PG=(-h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER")

die() { echo "$BENCH: ERROR: $*" >&2; exit 1; }

# positive NAME...: each named variable holds a positive integer.
positive() {
  local v
  for v in "$@"; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
  done
}

sql() { psql "${PG[@]}" -d "$DB_NAME" -X -q -v ON_ERROR_STOP=1 -c "$1" || die "psql failed: $1"; }

# quiet CMD...: run CMD, show its output only when it fails.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then echo "$out" >&2; die "failed: $*"; fi
}

# fresh_db NAME PREFIX: an empty database NAME and no Redis keys under PREFIX, both made the
# service's (TIMEBANK_DATABASE_URL, TIMEBANK_REDIS_PREFIX), so the service's own data is left alone.
fresh_db() {
  sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  sql "CREATE DATABASE $1"
  export TIMEBANK_DATABASE_URL="postgres://$DB_USER:$PGPASSWORD@$PG_HOST:$PG_PORT/$1?sslmode=disable"
  export TIMEBANK_REDIS_PREFIX="$2"
  redis-cli --scan --pattern "$2*" | xargs -r redis-cli del >/dev/null
}

# free_port prints a loopback port nothing listens on, found with bash's /dev/tcp alone (no other
# tool needed on a fresh Debian).
free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# serve LOG [VAR=VALUE...]: `timebank serve` in a process of its own on a free loopback port, as
# production runs it, with the settings given; sets base (its URL) and stops it when the script ends.
serve() {
  local log=$1 port
  shift
  port=$(free_port) || die "no free loopback port found"
  base="http://127.0.0.1:$port"
  env TIMEBANK_ADDR="127.0.0.1:$port" TIMEBANK_LOG_LEVEL=warn "$@" ./bin/timebank serve >"$log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$base/readyz" >/dev/null || { cat "$log" >&2; die "timebank serve did not become ready"; }
}
