#!/usr/bin/env bash
# Make sure a PostgreSQL server is reachable and print the libpq environment
# (PGHOST, PGPORT, PGUSER) that reaches it:   eval "$(scripts/pg_env.sh)"
#
# Order: the server your PG* variables already point at; as root, the machine's
# Debian cluster (installed and started if needed); as a normal user, a private
# cluster under ~/.cache/cobranca/pg (initdb on first use, unix socket only).
# Odoo refuses the "postgres" role, so we always hand it a role named after you.
set -euo pipefail

log() { echo "pg_env: $*" >&2; }
me=$(id -un)

can_connect() { psql -X -q -d postgres -tAc 'select 1' >/dev/null 2>&1; }

# 1. Whatever the caller configured, if it answers and is not the postgres role.
if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] && [ "${PGUSER:-$me}" != postgres ] \
   && command -v psql >/dev/null && can_connect; then
  printf 'export PGHOST=%q PGPORT=%q PGUSER=%q\n' "${PGHOST:-}" "${PGPORT:-5432}" "${PGUSER:-$me}"
  exit 0
fi

latest_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ "$(id -u)" -eq 0 ]; then
  # 2. Root: use (and if needed install) Debian's cluster.
  if ! command -v pg_ctlcluster >/dev/null; then
    log "installing PostgreSQL from Debian packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  cluster=$(pg_lsclusters -h 2>/dev/null | head -n 1 || true)
  if [ -z "$cluster" ]; then
    version=$(basename "$(dirname "$(latest_bin)")")
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
    cluster=$(pg_lsclusters -h | head -n 1)
  fi
  read -r version name port status _ <<<"$cluster"
  if [ "$status" != online ]; then
    log "starting cluster $version/$name"
    pg_ctlcluster "$version" "$name" start >&2
  fi
  export PGHOST=/var/run/postgresql PGPORT=$port
  if ! runuser -u postgres -- psql -X -p "$port" -tAc "select 1 from pg_roles where rolname='$me'" | grep -q 1; then
    runuser -u postgres -- createuser -p "$port" --superuser "$me" >&2
  fi
  printf 'export PGHOST=%q PGPORT=%q PGUSER=%q\n' "$PGHOST" "$port" "$me"
  exit 0
fi

# 3. Normal user: a private cluster of our own, reachable only through its socket.
bin=$(latest_bin)
if [ -z "$bin" ]; then
  log "PostgreSQL server binaries not found: install them (Debian: sudo apt-get install postgresql)"
  exit 1
fi
data=${COBRANCA_PGDATA:-${XDG_CACHE_HOME:-$HOME/.cache}/cobranca/pg}
port=${COBRANCA_PGPORT:-54329}
if [ ! -f "$data/PG_VERSION" ]; then
  log "initialising a private cluster in $data"
  mkdir -p "$data"
  "$bin/initdb" -D "$data" -U "$me" -A trust --no-sync -E UTF8 --locale=C.UTF-8 >&2
fi
if ! "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  log "starting the private cluster"
  "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-k $data -p $port -c listen_addresses=''" start >&2
fi
printf 'export PGHOST=%q PGPORT=%q PGUSER=%q\n' "$data" "$port" "$me"
