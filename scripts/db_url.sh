# scripts/db_url.sh: read TIMEBANK_DATABASE_URL, the one setting the service, the tests and these
# scripts all connect by, into DB_USER, DB_PASSWORD, PG_HOST, PG_PORT and DB_NAME.
# postgres://user:password@host:port/name?options (password and port optional).
TIMEBANK_DATABASE_URL=${TIMEBANK_DATABASE_URL:-postgres://timebank:timebank@127.0.0.1:5432/timebank?sslmode=disable}
db_url_re='^postgres(ql)?://([^:@/]+)(:([^@/]*))?@([^:/?]+)(:([0-9]+))?/([^?]+)(\?.*)?$'
if [[ ! $TIMEBANK_DATABASE_URL =~ $db_url_re ]]; then
  echo "TIMEBANK_DATABASE_URL is not postgres://user:password@host:port/name: $TIMEBANK_DATABASE_URL" >&2
  exit 2
fi
DB_USER=${BASH_REMATCH[2]}
DB_PASSWORD=${BASH_REMATCH[4]}
PG_HOST=${BASH_REMATCH[5]}
PG_PORT=${BASH_REMATCH[7]:-5432}
DB_NAME=${BASH_REMATCH[8]}
