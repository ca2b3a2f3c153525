#!/usr/bin/env bash
# Private, throwaway MariaDB servers for the test suite.
#
#   mariadb.sh install                 apt-get install mariadb-server/client if no mariadbd/mysqld
#   mariadb.sh start <name> <port>     init .infra/mariadb/<name>/data (once) and start mariadbd
#                                      on 127.0.0.1:<port>, binlog on (ROW, FULL, server-id=1)
#   mariadb.sh wait <name> [timeout]   wait until it answers, then create database `millrace`
#                                      and user millrace@127.0.0.1 / millrace (idempotent)
#   mariadb.sh stop <name>             SIGTERM, wait, SIGKILL as a last resort
#   mariadb.sh kill9 <name>            SIGKILL (crash simulation); data dir is kept
#   mariadb.sh status                  list instances and whether they run
#   mariadb.sh clean <name>            stop and delete .infra/mariadb/<name>
#
# The system service is never started; every instance has its own datadir, socket,
# pid file and error log under .infra/mariadb/<name>/.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"
# Physical path: the binlog index records absolute paths, and a checkout whose .infra is a
# symlink to another one's must not write its own name into a server the other one starts.
mkdir -p "$REPO_ROOT/.infra/mariadb"
BASE_DIR="$(cd "$REPO_ROOT/.infra/mariadb" && pwd -P)"

die() {
  echo "mariadb.sh: $*" >&2
  exit 1
}

find_bin() {
  local b
  for b in "$@"; do
    if command -v "$b" >/dev/null 2>&1; then
      command -v "$b"
      return 0
    fi
    for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
      if [[ -x "$d/$b" ]]; then
        echo "$d/$b"
        return 0
      fi
    done
  done
  return 1
}

server_bin() { find_bin mariadbd mysqld; }
client_bin() { find_bin mariadb mysql; }
install_db_bin() { find_bin mariadb-install-db mysql_install_db; }

inst_dir() { echo "$BASE_DIR/$1"; }
pid_file() { echo "$(inst_dir "$1")/run/mariadbd.pid"; }
sock_file() { echo "$(inst_dir "$1")/run/mariadbd.sock"; }
log_file() { echo "$(inst_dir "$1")/mariadbd.log"; }

check_name() {
  [[ "${1:-}" =~ ^[A-Za-z0-9_-]+$ ]] || die "bad instance name '${1:-}'"
}

read_pid() {
  local f
  f="$(pid_file "$1")"
  [[ -s "$f" ]] && tr -d '[:space:]' <"$f"
}

is_running() {
  local pid
  pid="$(read_pid "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

show_log_tail() {
  local f
  f="$(log_file "$1")"
  if [[ -f "$f" ]]; then
    echo "----- tail of $f -----" >&2
    tail -n 40 "$f" >&2
  fi
}

cmd_install() {
  if server_bin >/dev/null && client_bin >/dev/null && install_db_bin >/dev/null; then
    echo "mariadb already installed: $("$(server_bin)" --version)"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  local sudo=""
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  # Keep the package's postinst from starting the system service.
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  # Try with the current package lists first; refresh them if that fails (empty or stale).
  if ! $sudo apt-get install -y --no-install-recommends mariadb-server mariadb-client; then
    { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends mariadb-server mariadb-client; } || rc=$?
  fi
  if [[ "$created_policy" -eq 1 ]]; then
    $sudo rm -f /usr/sbin/policy-rc.d
  fi
  [[ "$rc" -eq 0 ]] || die "apt-get install failed (rc=$rc)"
  server_bin >/dev/null || die "mariadbd not found after install"
  echo "installed: $("$(server_bin)" --version)"
}

cmd_start() {
  local name="${1:-}" port="${2:-}"
  check_name "$name"
  [[ "$port" =~ ^[0-9]+$ ]] || die "usage: start <name> <port>"
  mkdir -p "$(inst_dir "$name")"
  # Serialise concurrent starts of the same instance (parallel test files).
  exec 9>"$(inst_dir "$name")/.start.lock"
  flock 9
  if is_running "$name"; then
    local running_port
    running_port="$(cat "$(inst_dir "$name")/port" 2>/dev/null || echo "$port")"
    [[ "$running_port" == "$port" ]] || die "mariadb '$name' is already running on port $running_port, not $port"
    echo "mariadb '$name' already running (pid $(read_pid "$name"))"
    return 0
  fi
  local server install_db dir data run
  server="$(server_bin)" || die "mariadbd not installed; run: $0 install"
  install_db="$(install_db_bin)" || die "mariadb-install-db not installed; run: $0 install"
  dir="$(inst_dir "$name")"
  data="$dir/data"
  run="$dir/run"
  mkdir -p "$run" "$dir/binlog" "$dir/tmp"
  echo "$port" >"$dir/port"
  rm -f "$(pid_file "$name")" "$(sock_file "$name")"

  if [[ ! -d "$data/mysql" ]]; then
    rm -rf "$data"
    mkdir -p "$data"
    if ! "$install_db" --no-defaults --user="$(id -un)" --datadir="$data" \
      --auth-root-authentication-method=normal --skip-test-db \
      --skip-name-resolve >"$dir/install-db.log" 2>&1; then
      tail -n 40 "$dir/install-db.log" >&2
      die "mariadb-install-db failed for '$name'"
    fi
  fi

  # mariadbd refuses to run as root unless told --user=root explicitly.
  setsid "$server" --no-defaults \
    --user="$(id -un)" \
    --datadir="$data" \
    --tmpdir="$dir/tmp" \
    --socket="$(sock_file "$name")" \
    --pid-file="$(pid_file "$name")" \
    --log-error="$(log_file "$name")" \
    --port="$port" \
    --bind-address=127.0.0.1 \
    --skip-name-resolve \
    --server-id=1 \
    --log-bin="$dir/binlog/mariadb-bin" \
    --binlog-format=ROW \
    --binlog-row-image=FULL \
    --expire-logs-days=1 \
    --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=64M \
    --innodb-log-file-size=32M \
    --binlog-row-metadata=FULL \
    --max-connections=200 \
    </dev/null >>"$dir/mariadbd.stdout" 2>&1 9>&- &
  local launcher=$!
  # mariadbd writes its own pid file; until then record the launcher pid.
  echo "$launcher" >"$(pid_file "$name").launch"
  echo "mariadb '$name' starting on 127.0.0.1:$port (pid $launcher, dir $dir)"
}

mysql_root() {
  local name="$1"
  shift
  "$(client_bin)" --no-defaults --protocol=socket -S "$(sock_file "$name")" -uroot "$@"
}

cmd_wait() {
  local name="${1:-}" timeout="${2:-60}"
  check_name "$name"
  local deadline=$((SECONDS + timeout))
  local launch_pid=""
  [[ -f "$(pid_file "$name").launch" ]] && launch_pid="$(cat "$(pid_file "$name").launch")"
  until mysql_root "$name" -e 'SELECT 1' >/dev/null 2>&1; do
    if [[ -n "$launch_pid" ]] && ! kill -0 "$launch_pid" 2>/dev/null && ! is_running "$name"; then
      show_log_tail "$name"
      die "mariadb '$name' exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$name"
      die "mariadb '$name' not ready after ${timeout}s"
    fi
    sleep 0.2
  done
  mysql_root "$name" <<'SQL'
CREATE DATABASE IF NOT EXISTS millrace CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'millrace'@'127.0.0.1' IDENTIFIED BY 'millrace';
CREATE USER IF NOT EXISTS 'millrace'@'localhost' IDENTIFIED BY 'millrace';
GRANT ALL PRIVILEGES ON *.* TO 'millrace'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'millrace'@'localhost';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'millrace'@'127.0.0.1';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'millrace'@'localhost';
FLUSH PRIVILEGES;
SQL
  echo "mariadb '$name' ready (pid $(read_pid "$name"))"
}

cmd_stop() {
  local name="${1:-}" timeout="${2:-30}"
  check_name "$name"
  local pid
  pid="$(read_pid "$name" 2>/dev/null)" || pid=""
  if [[ -z "$pid" ]] && [[ -f "$(pid_file "$name").launch" ]]; then
    pid="$(cat "$(pid_file "$name").launch")"
  fi
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    echo "mariadb '$name' not running"
    rm -f "$(pid_file "$name").launch"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "mariadb '$name' did not stop in ${timeout}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$(pid_file "$name").launch"
  echo "mariadb '$name' stopped"
}

cmd_kill9() {
  local name="${1:-}"
  check_name "$name"
  local pid
  pid="$(read_pid "$name" 2>/dev/null)" || pid=""
  if [[ -z "$pid" ]] && [[ -f "$(pid_file "$name").launch" ]]; then
    pid="$(cat "$(pid_file "$name").launch")"
  fi
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    echo "mariadb '$name' killed (pid $pid)"
  else
    echo "mariadb '$name' not running"
  fi
  rm -f "$(pid_file "$name").launch"
}

cmd_status() {
  [[ -d "$BASE_DIR" ]] || {
    echo "no instances"
    return 0
  }
  local d name
  for d in "$BASE_DIR"/*/; do
    [[ -d "$d" ]] || continue
    name="$(basename "$d")"
    if is_running "$name"; then
      echo "$name running pid=$(read_pid "$name") port=$(cat "$d/port" 2>/dev/null || echo '?')"
    else
      echo "$name stopped"
    fi
  done
}

cmd_clean() {
  local name="${1:-}"
  check_name "$name"
  cmd_stop "$name"
  rm -rf "$(inst_dir "$name")"
  echo "mariadb '$name' removed"
}

sub="${1:-}"
shift || true
case "$sub" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  stop) cmd_stop "$@" ;;
  kill9) cmd_kill9 "$@" ;;
  status) cmd_status "$@" ;;
  clean) cmd_clean "$@" ;;
  *)
    sed -n '2,15p' "$0" >&2
    exit 2
    ;;
esac
