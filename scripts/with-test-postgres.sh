#!/usr/bin/env bash
# Runs a command with DIENBOT_TEST_POSTGRES_URL pointing at a PostgreSQL server.
# When the variable is already set it is used as it is. Otherwise Debian's postgresql is
# installed if missing, and a throwaway cluster is started on a free loopback port for the
# length of the command, then stopped and removed.
set -euo pipefail

if [[ -n "${DIENBOT_TEST_POSTGRES_URL:-}" ]]; then
    exec "$@"
fi

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

bin=$(pg_bin || true)
if [[ -z "$bin" ]]; then
    echo "with-test-postgres: installing Debian's postgresql" >&2
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
fi

# PostgreSQL refuses to run as root: run the cluster as the postgres system user then.
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); else as_pg=(); fi

dir=$(mktemp -d /tmp/dienbot-pgtest.XXXXXX)
chmod 755 "$dir"
[[ $(id -u) -eq 0 ]] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cleanup() {
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U dienbot -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
"${as_pg[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U dienbot dienbot_test

export DIENBOT_TEST_POSTGRES_URL="postgresql+psycopg://dienbot@127.0.0.1:$port/dienbot_test"
echo "with-test-postgres: throwaway cluster at 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
exit $status
