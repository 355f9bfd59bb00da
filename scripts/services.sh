#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis run on this machine and that the project's role and database exist.
# On a fresh Debian/Ubuntu machine it installs them from Debian's packages; where they already run it
# only checks (about a second).
set -euo pipefail

DB_USER=${TIMEBANK_DB_USER:-timebank}
DB_PASSWORD=${TIMEBANK_DB_PASSWORD:-timebank}
DB_NAME=${TIMEBANK_DB_NAME:-timebank}
REDIS_PORT=${TIMEBANK_REDIS_PORT:-6379}

say() { echo "services: $*"; }
die() { echo "services: ERROR: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

apt_install() {
  say "installing $* from Debian packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -u postgres "$@"
  else "$@"; fi
}

pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

ensure_postgres() {
  if pg_ready; then return; fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    as_root pg_createcluster "$version" main >/dev/null || die "pg_createcluster $version main failed"
  fi
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && return; sleep 1; done
  tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" 2>/dev/null || true
  die "PostgreSQL did not start on 127.0.0.1:5432 (log above)"
}

psql_admin() {
  # Prefer the postgres OS user over the socket; fall back to TCP where local connections are trusted.
  if id postgres >/dev/null 2>&1 && as_postgres psql -qAtX -c 'select 1' >/dev/null 2>&1; then
    as_postgres psql -qAtX -v ON_ERROR_STOP=1 "$@"
  else
    psql -h 127.0.0.1 -U postgres -qAtX -v ON_ERROR_STOP=1 "$@"
  fi
}

ensure_database() {
  psql_admin -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}') THEN
      CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
    END IF;
  END\$\$;" || die "cannot create role ${DB_USER}"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}" || die "cannot create database ${DB_NAME}"
    say "created database ${DB_NAME}"
  fi
  PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -U "$DB_USER" -d "$DB_NAME" -qAtXc 'select 1' >/dev/null \
    || die "cannot log in to ${DB_NAME} as ${DB_USER} over 127.0.0.1"
}

redis_ready() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if redis_ready; then return; fi
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile "/var/log/redis/timebank-$REDIS_PORT.log" >/dev/null 2>&1 || true
  for _ in $(seq 1 10); do redis_ready && return; sleep 0.5; done
  # A machine without IPv6 cannot bind ::1.
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile "/var/log/redis/timebank-$REDIS_PORT.log" >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do redis_ready && return; sleep 0.5; done
  tail -n 20 "/var/log/redis/timebank-$REDIS_PORT.log" 2>/dev/null || true
  die "Redis did not start on 127.0.0.1:$REDIS_PORT (log above)"
}

ensure_postgres
ensure_database
ensure_redis
command -v pgbench >/dev/null 2>&1 || say "note: pgbench not found (needed only for make bench)"
say "PostgreSQL and Redis are ready"
