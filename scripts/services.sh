#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis run on this machine and that the project's role and database exist.
# On a fresh Debian/Ubuntu machine it installs them from the distribution's packages; where they
# already run it only checks (well under two seconds) and runs no apt-get.
#
#   TIMEBANK_DATABASE_URL (postgres://timebank:timebank@127.0.0.1:5432/timebank?sslmode=disable):
#     the role, password, port and database to make sure of, the very setting the service and the
#     tests connect by (scripts/db_url.sh reads it), so the two cannot point at different databases
#   TIMEBANK_REDIS_PORT (6379)
#   TIMEBANK_PG_MIN_CONNECTIONS (300; 0 leaves max_connections alone), see ensure_connections
#   --bench: also make sure pgbench, wrk and redis-benchmark are there, which only `make bench` needs
#
# The role has a password because a fresh Debian pg_hba.conf requires scram-sha-256 for TCP
# connections.
set -euo pipefail

. "$(dirname "$0")/db_url.sh"
[ "$PG_HOST" = 127.0.0.1 ] || [ "$PG_HOST" = localhost ] || {
  echo "services: TIMEBANK_DATABASE_URL names $PG_HOST: this script sets up a PostgreSQL on this machine only" >&2
  exit 2
}
PG_HOST=127.0.0.1
WANT_PGBENCH=false
[ "${1:-}" = --bench ] && WANT_PGBENCH=true
REDIS_PORT=${TIMEBANK_REDIS_PORT:-6379}

say() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
# show_log FILE: the end of a log for an error message (log files are often readable by root only).
show_log() {
  echo "services: end of $1:" >&2
  { tail -n 30 "$1" 2>/dev/null || { have sudo && sudo -n tail -n 30 "$1" 2>/dev/null; }; } >&2 \
    || echo "services:   (cannot read $1)" >&2
}

# as_root runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if is_root; then "$@"
  elif have sudo; then sudo "$@"
  else die "need root to run '$*', and sudo is not installed; run this script as root"; fi
}

apt_install() {
  have apt-get || die "$* missing and apt-get not found; install $* yourself (this script knows Debian/Ubuntu)"
  say "installing $* (apt-get)"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

pg_ready() { have pg_isready && pg_isready -q -t 2 -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }

pg_installed() { have pg_ctlcluster && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

ensure_postgres() {
  if pg_ready; then return; fi
  pg_installed || die "PostgreSQL is not installed"
  # The package's post-install script may already have started the default cluster.
  if pg_ready; then say "PostgreSQL is running"; return; fi

  # The cluster to start: the one on port 5432, else "<newest version> main", created if need be.
  local version="" name="" logfile=""
  if have pg_lsclusters; then
    read -r version name logfile < <(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2, $7; exit }') || true
  fi
  if [ -z "$version" ]; then
    name=main
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    if [ ! -f "/etc/postgresql/$version/main/postgresql.conf" ]; then
      say "creating PostgreSQL cluster $version/main"
      as_root pg_createcluster --port "$PG_PORT" "$version" main >/dev/null \
        || die "pg_createcluster $version main failed"
    fi
  fi
  case "$logfile" in /*) ;; *) logfile="/var/log/postgresql/postgresql-$version-$name.log" ;; esac

  say "starting PostgreSQL $version/$name"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start || true # "already running" is fine
  local deadline=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$deadline" ]; do pg_ready && return; sleep 0.5; done
  pg_ready && return
  echo "services: ERROR: PostgreSQL did not answer on $PG_HOST:$PG_PORT within 30 s" >&2
  show_log "$logfile"
  have pg_lsclusters && pg_lsclusters >&2
  exit 1
}

# app_ok: the role logs in over TCP with its password, may create databases (tests and the
# benchmark create their own) and owns the database.
app_ok() {
  local ok
  ok=$(PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
    -w -qAtX -c "SELECT r.rolcanlogin AND r.rolcreatedb AND d.datdba = r.oid
                 FROM pg_roles r, pg_database d
                 WHERE r.rolname = current_user AND d.datname = current_database()" 2>/dev/null) || return 1
  [ "$ok" = "t" ]
}

# as_postgres runs a command as the postgres OS user (peer authentication over the local socket).
as_postgres() {
  if is_root && have runuser; then (cd / && runuser -u postgres -- "$@")
  elif have sudo; then (cd / && sudo -u postgres "$@")
  else return 1; fi
}

# ADMIN: how to reach PostgreSQL as a superuser, decided once by pick_admin.
ADMIN=()
pick_admin() {
  if id postgres >/dev/null 2>&1 && as_postgres psql -X -w -d postgres -qAtc 'SELECT 1' >/dev/null 2>&1; then
    ADMIN=(as_postgres psql -d postgres)
  elif psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -X -w -qAtc 'SELECT 1' >/dev/null 2>&1; then
    ADMIN=(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres) # trust (or PGPASSWORD) machines
  else
    die "cannot connect to PostgreSQL as a superuser (neither as the postgres OS user nor as
  psql -h $PG_HOST -U postgres); create the role and database yourself:
  CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '...'; CREATE DATABASE $DB_NAME OWNER $DB_USER;"
  fi
}

ensure_database() {
  if app_ok; then return; fi
  pick_admin
  say "creating role $DB_USER and database $DB_NAME (if missing)"
  # \gexec runs each generated statement on its own (CREATE DATABASE cannot run in a transaction);
  # format() with %I/%L quotes the names and the password.
  "${ADMIN[@]}" -X -w -q -v ON_ERROR_STOP=1 \
    -v db_user="$DB_USER" -v db_password="$DB_PASSWORD" -v db_name="$DB_NAME" <<'SQL' >/dev/null \
    || die "cannot create role $DB_USER / database $DB_NAME"
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'db_user', :'db_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'db_user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'db_user', :'db_password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db_name', :'db_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db_name') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db_name', :'db_user') \gexec
SQL
  app_ok || die "cannot log in as $DB_USER to $DB_NAME on $PG_HOST:$PG_PORT with its password
  (check pg_hba.conf: it needs a 'host all all 127.0.0.1/32 scram-sha-256' or md5 line)"
}

# The tests race many goroutines on real connections, two packages at a time (up to 64 connections
# per test database), and the benchmarks use hundreds of clients: 100, PostgreSQL's default, is too
# few. Raising it RESTARTS PostgreSQL, once (the setting is kept in postgresql.auto.conf), which ends
# every session of every database on it: set TIMEBANK_PG_MIN_CONNECTIONS=0 to leave it alone on a
# server that others use (the tests may then run out of connections).
MIN_CONNECTIONS=${TIMEBANK_PG_MIN_CONNECTIONS:-300}
ensure_connections() {
  [ "$MIN_CONNECTIONS" -gt 0 ] || return 0
  local n
  n=$(PGPASSWORD=$DB_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -w -qAtX \
    -c 'SHOW max_connections' 2>/dev/null) || die "cannot read max_connections"
  [ "$n" -ge "$MIN_CONNECTIONS" ] && return
  pick_admin
  say "raising PostgreSQL max_connections from $n to $MIN_CONNECTIONS: restarting PostgreSQL once (TIMEBANK_PG_MIN_CONNECTIONS=0 skips this)"
  "${ADMIN[@]}" -X -w -q -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET max_connections = $MIN_CONNECTIONS" >/dev/null \
    || die "cannot set max_connections (set it to at least $MIN_CONNECTIONS in postgresql.conf)"
  local version name
  read -r version name _ < <(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }') || true
  [ -n "$version" ] || die "cannot find the PostgreSQL cluster on port $PG_PORT to restart it"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" restart || die "restarting PostgreSQL failed"
  local deadline=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$deadline" ]; do pg_ready && break; sleep 0.5; done
  pg_ready || die "PostgreSQL did not come back after the restart"
}

# pgbench is needed by `make bench`; on Debian it comes with the server packages (postgresql-contrib).
have_pgbench() { have pgbench && pgbench --version >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------------
# Redis

# The timeout: something that accepts connections but never answers must not hang the script.
redis_ready() { have redis-cli && [ "$(timeout 1 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

# wait_redis SECONDS: poll for PONG until SECONDS have passed.
wait_redis() {
  local deadline=$((SECONDS + $1))
  while [ "$SECONDS" -lt "$deadline" ]; do redis_ready && return 0; sleep 0.25; done
  redis_ready
}

ensure_redis() {
  have redis-server && have redis-cli || die "redis-server is not installed"
  if redis_ready; then return; fi

  local dir=/var/lib/redis logdir=/var/log/redis run=as_root
  if ! is_root && ! have sudo; then # run it as ourselves, in directories we own
    dir=${XDG_CACHE_HOME:-$HOME/.cache}/timebank/redis logdir=$dir run=""
  fi
  local logfile=$logdir/timebank.log
  [ "$REDIS_PORT" = 6379 ] || logfile=$logdir/timebank-$REDIS_PORT.log
  $run mkdir -p "$dir" "$logdir"

  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  local args=(--daemonize yes --port "$REDIS_PORT" --save "" --appendonly no --dir "$dir" --logfile "$logfile")
  # "-::1" is optional in Redis 7; older servers, or machines without IPv6, may refuse it.
  if $run redis-server --bind 127.0.0.1 -::1 "${args[@]}" >/dev/null 2>&1 && wait_redis 3; then return; fi
  say "no answer; starting Redis again bound to 127.0.0.1 only (IPv6 ::1 unavailable?)"
  $run redis-server --bind 127.0.0.1 "${args[@]}" >/dev/null 2>&1 || true
  if wait_redis 12; then return; fi
  echo "services: ERROR: Redis did not answer PONG on 127.0.0.1:$REDIS_PORT within 15 s" >&2
  show_log "$logfile"
  exit 1
}

# ---------------------------------------------------------------------------------------------------

# Whatever is missing, installed with one apt-get run (none at all on a machine that has everything).
# Tests start their own redis-server on a free port, so the binary is needed even when a Redis
# already answers on 6379.
missing=()
if ! pg_ready && ! pg_installed; then missing+=(postgresql postgresql-contrib)
elif $WANT_PGBENCH && ! have_pgbench; then missing+=(postgresql-contrib); fi
if ! have redis-server || ! have redis-cli; then missing+=(redis-server); fi
# The read benchmark drives the served HTTP API from a separate process, with wrk, beside
# redis-benchmark (which comes with redis-tools, with redis-cli).
if $WANT_PGBENCH && ! have wrk; then missing+=(wrk); fi
if $WANT_PGBENCH && ! have redis-benchmark; then missing+=(redis-tools); fi
if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi

ensure_postgres
ensure_database
ensure_connections
ensure_redis
if $WANT_PGBENCH; then have_pgbench || die "pgbench is still missing after installing postgresql-contrib"; fi
if $WANT_PGBENCH; then have wrk && have redis-benchmark || die "wrk or redis-benchmark is still missing after installing them"; fi
say "PostgreSQL on $PG_HOST:$PG_PORT (database $DB_NAME, role $DB_USER) and Redis on 127.0.0.1:$REDIS_PORT are ready"
