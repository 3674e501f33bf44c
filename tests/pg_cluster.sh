#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite.
#
#   tests/pg_cluster.sh start DIR PORT   make a cluster in DIR (new or empty), serve it
#                                        on 127.0.0.1:PORT, create database planner_test,
#                                        and print its URL on stdout (nothing else goes
#                                        to stdout, so `url=$(... start ...)` works)
#   tests/pg_cluster.sh stop DIR         stop that server and delete DIR
#   tests/pg_cluster.sh install          only install PostgreSQL if it is missing (so
#                                        that `start` can then run beside other apt work)
#
# Trust authentication, loopback and a unix socket inside DIR only: the cluster is for
# tests and holds nothing worth protecting. Durability is switched off for speed.
# Installs Debian's postgresql package when no initdb is found.
set -euo pipefail

DB_NAME=planner_test
MARKER=.planner-pg-cluster # written at start; stop deletes only a DIR that has it

die() {
    echo "pg_cluster.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start DIR PORT | stop DIR | install" >&2
    exit 2
}

# Newest installed PostgreSQL bin directory (Debian keeps them out of PATH).
find_bindir() {
    local dir
    for dir in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

ensure_postgres() {
    if BINDIR=$(find_bindir); then
        return 0
    fi
    echo "pg_cluster.sh: installing Debian's postgresql package" >&2
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends postgresql >&2
    BINDIR=$(find_bindir) || die "postgresql installed, but no initdb under /usr/lib/postgresql"
}

# initdb and pg_ctl refuse to run as root: as root, run them as the postgres user
# (the Debian package creates it); anyone else runs them as themselves.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local dir=$1 port=$2
    [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"
    ensure_postgres

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local data=$dir/data sock=$dir/socket log=$dir/server.log
    if [[ ! -f $dir/$MARKER ]] && [[ -n $(ls -A "$dir") ]]; then
        die "$dir is not empty and was not made by this script"
    fi
    touch "$dir/$MARKER"
    mkdir -p "$sock"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user"
        chown -R postgres: "$dir"
        chmod 700 "$dir"
        runuser -u postgres -- test -w "$dir" \
            || die "the postgres user cannot reach $dir; choose a DIR under /tmp"
    fi

    if [[ ! -f $data/PG_VERSION ]]; then
        as_owner "$BINDIR/initdb" --pgdata="$data" --username=postgres \
            --auth=trust --encoding=UTF8 --no-locale --no-sync >&2
        # Loopback and the socket in DIR only, no passwords.
        cat >"$data/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
host    all       all   ::1/128       trust
EOF
        cat >>"$data/postgresql.conf" <<EOF

# --- throwaway test cluster (tests/pg_cluster.sh) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
max_connections = 100
# Nothing here must survive a crash, so skip the disk flushes.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres: "$data/pg_hba.conf" "$data/postgresql.conf"
        fi
    fi

    if ! as_owner "$BINDIR/pg_ctl" --pgdata="$data" status >/dev/null 2>&1; then
        if ! as_owner "$BINDIR/pg_ctl" --pgdata="$data" --log="$log" \
            --wait --timeout=60 start >&2; then
            echo "pg_cluster.sh: the server did not start; end of $log:" >&2
            tail -n 30 "$log" >&2 || true
            exit 1
        fi
    fi

    # pg_ctl --wait already waits; this also covers a server that was just starting.
    local tries=0
    until "$BINDIR/pg_isready" --quiet --host=127.0.0.1 --port="$port" --timeout=2; do
        tries=$((tries + 1))
        ((tries < 30)) || die "the server on 127.0.0.1:$port did not become ready"
        sleep 1
    done

    local exists
    exists=$("$BINDIR/psql" --host=127.0.0.1 --port="$port" --username=postgres \
        --dbname=postgres --no-psqlrc --tuples-only --no-align \
        --command="SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
    if [[ $exists != 1 ]]; then
        "$BINDIR/createdb" --host=127.0.0.1 --port="$port" --username=postgres \
            --encoding=UTF8 --template=template0 "$DB_NAME"
    fi

    echo "postgresql+psycopg://postgres@127.0.0.1:$port/$DB_NAME"
}

stop() {
    local dir=$1
    [[ -d $dir ]] || return 0
    [[ -f $dir/$MARKER ]] || die "$dir was not made by this script; not deleting it"
    local data=$dir/data
    if [[ -f $data/postmaster.pid ]]; then
        if BINDIR=$(find_bindir); then
            as_owner "$BINDIR/pg_ctl" --pgdata="$data" --mode=fast --wait \
                --timeout=60 stop >&2 || echo "pg_cluster.sh: pg_ctl stop failed" >&2
        fi
    fi
    rm -rf -- "$dir"
}

case ${1:-} in
start)
    [[ $# -eq 3 ]] || usage
    start "$2" "$3"
    ;;
stop)
    [[ $# -eq 2 ]] || usage
    stop "$2"
    ;;
install)
    [[ $# -eq 1 ]] || usage
    ensure_postgres
    ;;
*)
    usage
    ;;
esac
