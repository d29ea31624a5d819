#!/usr/bin/env bash
# Installs and starts the shared infrastructure (PostgreSQL, NATS with JetStream, Temporal's dev
# server) where a machine lacks it. Idempotent: what is installed is not installed again, what
# answers on its address is used as it is, and only what this script started is stopped.
#
#   scripts/infra.sh install            node dependencies, nats-server, PostgreSQL, temporal CLI, Chromium
#   scripts/infra.sh up [svc...]        start postgres, nats, temporal where nothing answers
#   scripts/infra.sh down               stop what `up` started
#   scripts/infra.sh status             what answers where
#   scripts/infra.sh bin temporal|nats-server|chromium   print the binary's path
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${BANDITORE_DATA_DIR:-$ROOT/.data}"
RUN="$DATA/run"
# Built binaries are cached per machine, outside the clone, so a new clone does not rebuild them.
BIN_DIR="${BANDITORE_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/banditore/bin}"
TEMPORAL_CLI_VERSION="v1.5.1"
NATS_SERVER_VERSION="v2.10.29"
PNPM_VERSION="10"

PG_HOST="${PGHOST_ADDR:-127.0.0.1}"
PG_PORT="${PGPORT:-5432}"
PG_DB="${BANDITORE_DB:-banditore}"
NATS_PORT="${NATS_PORT:-4222}"
NATS_MONITOR_PORT="${NATS_MONITOR_PORT:-8222}"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"

export PATH="/usr/local/go/bin:$BIN_DIR:$PATH"

say() { printf '\033[1m[infra]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[infra] %s\033[0m\n' "$*" >&2; exit 1; }

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    answers "$2" "$3" && return 0
    sleep 0.1
  done
  die "$1 did not answer on $2:$3 within $4 s (see $DATA/$1.log)"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  command -v apt-get >/dev/null || return 1
  say "installing $* with apt-get"
  if [ ! -f "$DATA/.apt-updated" ]; then as_root apt-get update -qq >/dev/null && mkdir -p "$DATA" && touch "$DATA/.apt-updated"; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

go_install() { # module@version
  command -v go >/dev/null || die "Go is needed to build $1 (install it from https://go.dev/dl, or put it at /usr/local/go)"
  mkdir -p "$BIN_DIR"
  say "building $1 into $BIN_DIR (once per machine, a few minutes)"
  GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install "$1"
}

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do echo "$d"; return 0; done
  command -v pg_ctl >/dev/null && dirname "$(command -v pg_ctl)" && return 0
  return 1
}

install_node_deps() {
  command -v node >/dev/null || die "Node.js 20 or newer is required (https://nodejs.org)"
  if ! command -v pnpm >/dev/null; then
    say "installing pnpm@$PNPM_VERSION with npm"
    npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || as_root npm install -g "pnpm@$PNPM_VERSION" >/dev/null
  fi
  local stamp="$ROOT/node_modules/.banditore-installed"
  if [ ! -f "$stamp" ] || [ "$ROOT/pnpm-lock.yaml" -nt "$stamp" ]; then
    say "installing node dependencies"
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=silent)
    touch "$stamp"
  fi
}

install_nats() {
  command -v nats-server >/dev/null && return 0
  [ -x "$BIN_DIR/nats-server" ] && return 0
  apt_install nats-server 2>/dev/null || go_install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
}

install_postgres() {
  pg_bindir >/dev/null && command -v psql >/dev/null && return 0
  apt_install postgresql postgresql-client || die "PostgreSQL is missing and could not be installed; install PostgreSQL 15+ or set DATABASE_URL"
}

# The staff console's browser tests drive Debian's Chromium through playwright-core: a browser
# build of Playwright's own cannot be downloaded on the machines this runs on.
install_chromium() {
  [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ] && return 0
  command -v chromium >/dev/null && return 0
  apt_install chromium || die "Chromium is missing and could not be installed; install it or set CHROMIUM_PATH"
}

install_temporal() {
  [ -x "$BIN_DIR/temporal" ] && return 0
  go_install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
}

bin_path() {
  case "$1" in
    temporal) echo "$BIN_DIR/temporal" ;;
    chromium) if [ -n "${CHROMIUM_PATH:-}" ]; then echo "$CHROMIUM_PATH"; else command -v chromium; fi ;;
    nats-server) command -v nats-server || echo "$BIN_DIR/nats-server" ;;
    *) die "unknown binary $1" ;;
  esac
}

started() { # name pid
  mkdir -p "$RUN"
  echo "$2" >"$RUN/$1.pid"
}

up_postgres() {
  if answers "$PG_HOST" "$PG_PORT"; then say "postgres answers on $PG_HOST:$PG_PORT"; else
    local bindir pgdata="$DATA/postgres"
    bindir="$(pg_bindir)" || die "PostgreSQL is not installed: run scripts/infra.sh install"
    if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p')" ]; then
      # The machine's own cluster on that port: start it rather than a second one.
      local cluster
      cluster="$(pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p {print $1" "$2; exit}')"
      say "starting the machine's PostgreSQL cluster $cluster"
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster start
    else
      local run_as=()
      if [ "$(id -u)" = 0 ]; then
        # initdb refuses to run as root: the cluster belongs to the postgres user. Its data
        # must be reachable by that user, which a private clone directory may not be.
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        if ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then pgdata="/var/tmp/banditore-$(id -u)/postgres"; fi
        mkdir -p "$pgdata" && chown -R postgres "$pgdata" "$(dirname "$pgdata")"
        run_as=(runuser -u postgres --)
      fi
      if [ ! -f "$pgdata/PG_VERSION" ]; then
        say "initialising a PostgreSQL cluster in $pgdata"
        "${run_as[@]}" "$bindir/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 >/dev/null
      fi
      say "starting PostgreSQL on $PG_HOST:$PG_PORT (data in $pgdata)"
      "${run_as[@]}" "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
        -o "-h $PG_HOST -p $PG_PORT -k $pgdata" start >/dev/null
      started postgres "pg_ctl:$pgdata"
    fi
    wait_for postgres "$PG_HOST" "$PG_PORT" 30
  fi
  if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = '$PG_DB'" postgres 2>/dev/null | grep -q 1; then
    say "creating database $PG_DB"
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -qc "create database $PG_DB" postgres >/dev/null 2>&1 ||
      psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "select 1 from pg_database where datname = '$PG_DB'" postgres | grep -q 1 ||
      die "could not create database $PG_DB on $PG_HOST:$PG_PORT as user postgres"
  fi
}

up_nats() {
  if answers 127.0.0.1 "$NATS_PORT"; then say "nats answers on 127.0.0.1:$NATS_PORT"; return 0; fi
  mkdir -p "$DATA/nats"
  say "starting nats-server with JetStream on 127.0.0.1:$NATS_PORT (data in $DATA/nats)"
  nohup "$(bin_path nats-server)" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js -sd "$DATA/nats" \
    >"$DATA/nats.log" 2>&1 &
  started nats $!
  wait_for nats 127.0.0.1 "$NATS_PORT" 15
}

up_temporal() {
  if answers 127.0.0.1 "$TEMPORAL_PORT"; then say "temporal answers on 127.0.0.1:$TEMPORAL_PORT"; return 0; fi
  mkdir -p "$DATA"
  say "starting the Temporal dev server on 127.0.0.1:$TEMPORAL_PORT, Web UI on :$TEMPORAL_UI_PORT (data in $DATA/temporal.sqlite)"
  nohup "$(bin_path temporal)" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$DATA/temporal.sqlite" --log-level warn >"$DATA/temporal.log" 2>&1 &
  started temporal $!
  wait_for temporal 127.0.0.1 "$TEMPORAL_PORT" 60
}

down() {
  [ -d "$RUN" ] || return 0
  local f name pid
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    pid="$(cat "$f")"
    case "$pid" in
      pg_ctl:*)
        local pgdata="${pid#pg_ctl:}" run_as=()
        [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
        "${run_as[@]}" "$(pg_bindir)/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true ;;
      *)
        if kill "$pid" 2>/dev/null; then
          for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
          kill -9 "$pid" 2>/dev/null || true
        fi ;;
    esac
    say "stopped $name"
    rm -f "$f"
  done
}

status() {
  local s
  for s in "postgres $PG_HOST $PG_PORT" "nats 127.0.0.1 $NATS_PORT" "temporal 127.0.0.1 $TEMPORAL_PORT"; do
    set -- $s
    if answers "$2" "$3"; then echo "$1: up ($2:$3)"; else echo "$1: down ($2:$3)"; fi
  done
}

cmd="${1:-}"
shift || true
case "$cmd" in
  install)
    mkdir -p "$DATA"
    install_node_deps
    install_nats
    install_postgres
    install_temporal
    install_chromium
    say "installed: node $(node --version), pnpm $(pnpm --version), $("$(bin_path nats-server)" --version), $("$(bin_path temporal)" --version | head -1)"
    ;;
  up)
    [ $# -gt 0 ] || set -- postgres nats temporal
    for s in "$@"; do "up_$s"; done
    ;;
  down) down ;;
  status) status ;;
  bin) bin_path "${1:?which binary}" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
