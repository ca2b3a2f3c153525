#!/usr/bin/env bash
# Real Apache ZooKeeper (standalone) for millrace's integration tests.
#
# The jars come from Maven Central (see pom.xml); nothing is downloaded from anywhere else.
# State lives under <repo>/.infra/zookeeper/ (gitignored):
#   lib/                 server jars (+ .stamp = sha256 of pom.xml)
#   <name>/data          snapshots and transaction log of instance <name>
#   <name>/zoo.cfg, <name>/server.log, <name>/pid, <name>/port, <name>/leases/
#   .locks/              flock files serialising fetch and per-instance start/stop
#
# Usage: zookeeper.sh <command> [args]      (run `zookeeper.sh help` for the list)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../../.." && pwd -P)"
INFRA_DIR="${MILLRACE_ZOOKEEPER_INFRA_DIR:-$REPO_ROOT/.infra/zookeeper}"
LIB_DIR="$INFRA_DIR/lib"
POM="$SCRIPT_DIR/pom.xml"
JAVA="${JAVA:-java}"
ZK_HEAP_OPTS="${ZK_HEAP_OPTS:--Xms64m -Xmx256m}"
STOP_TIMEOUT="${ZK_STOP_TIMEOUT:-20}"

log() { printf 'zookeeper.sh: %s\n' "$*" >&2; }
die() { printf 'zookeeper.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF2'
usage: zookeeper.sh <command> [args]

  fetch                         fetch ZooKeeper jars from Maven Central into .infra/zookeeper/lib (idempotent)
  start <name> <port> [--fresh] [--lease <id>]
                                start standalone server <name> on 127.0.0.1:<port>; keeps existing data
                                unless --fresh; no-op if <name> is already running on <port>
  wait <port> [timeout-sec]     wait until the server on <port> answers `srvr` as serving (default 60s)
  stop <name> [--lease <id>]    stop <name> (SIGTERM, then SIGKILL after ${ZK_STOP_TIMEOUT:-20}s);
                                with --lease, only release that lease and stop once none are left
  kill9 <name>                  kill -9 the server (fault tests); data is kept for a restart
  status                        show known instances
  clean <name>                  stop <name> and delete its state directory

Environment: JAVA (default: java from PATH), ZK_HEAP_OPTS (default: -Xms64m -Xmx256m),
ZK_STOP_TIMEOUT (seconds), MILLRACE_ZOOKEEPER_INFRA_DIR (default: <repo>/.infra/zookeeper).
EOF2
}

valid_name() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "invalid instance name '$1' (use letters, digits, . _ -)"; }
valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1024 && $1 < 65535 )) || die "invalid port '$1' (need 1024..65534)"; }
pom_version() { sed -n 's:.*<zookeeper.version>\(.*\)</zookeeper.version>.*:\1:p' "$POM" | head -n1; }

# Exclusive flock on $1 via fd 9 for the rest of the calling shell; the server JVM is started
# with 9>&- so that it does not keep the lock.
lock() {
  mkdir -p "$(dirname -- "$1")"
  exec 9>"$1"
  flock -w "${2:-300}" 9 || die "timed out waiting for lock $1"
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# Pid of the running server of instance $1, or empty; a recycled pid is never mistaken for it.
running_pid() {
  local pidfile="$INFRA_DIR/$1/pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'ZooKeeperServerMain'; then
    printf '%s\n' "$pid"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends a four-letter-word command and prints the answer.
four_letter() {
  local out
  out="$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf '%s' "$2" >&3 && timeout 3 cat <&3)" 2>/dev/null || return 1
  printf '%s\n' "$out"
}

name_for_port() {
  local f
  for f in "$INFRA_DIR"/*/port; do
    [[ -f "$f" ]] || continue
    if [[ "$(cat "$f")" == "$1" ]]; then basename -- "$(dirname -- "$f")"; return 0; fi
  done
  return 0
}

tail_log() {
  local logf="$INFRA_DIR/$1/server.log"
  if [[ -f "$logf" ]]; then
    printf -- '----- last 40 lines of %s -----\n' "$logf" >&2
    tail -n 40 -- "$logf" >&2 || true
    printf -- '-----\n' >&2
  fi
}

cmd_fetch() {
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  [[ -f "$LIB_DIR/.stamp" && "$(cat "$LIB_DIR/.stamp")" == "$want" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch the ZooKeeper jars: apt-get install maven)"
  lock "$INFRA_DIR/.locks/fetch.lock" 900
  [[ -f "$LIB_DIR/.stamp" && "$(cat "$LIB_DIR/.stamp")" == "$want" ]] && return 0
  local tmp="$INFRA_DIR/lib.tmp.$$" start=$SECONDS
  log "fetching Apache ZooKeeper $(pom_version) jars from Maven Central into $LIB_DIR ..."
  rm -rf -- "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" >"$INFRA_DIR/fetch.log" 2>&1 </dev/null; then
    tail -n 40 "$INFRA_DIR/fetch.log" >&2 || true
    rm -rf -- "$tmp"
    die "mvn dependency:copy-dependencies failed (full log: $INFRA_DIR/fetch.log)"
  fi
  ls "$tmp"/zookeeper-[0-9]*.jar >/dev/null 2>&1 || die "fetch produced no zookeeper jar in $tmp"
  printf '%s\n' "$want" >"$tmp/.stamp"
  rm -rf -- "$LIB_DIR"
  mv -- "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - start))s"
}

# tickTime 500 ms lets clients ask for sessions from 1 s (2 ticks) to 10 s (20 ticks), so the
# tests can watch an ephemeral node vanish within seconds of a kill -9.
write_config() {
  local dir="$1" port="$2"
  cat >"$dir/zoo.cfg" <<EOF2
# Generated by test/infra/zookeeper/zookeeper.sh -- standalone server for tests.
tickTime=500
minSessionTimeout=1000
maxSessionTimeout=30000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,mntr,stat
autopurge.purgeInterval=1
EOF2
}

prune_leases() {
  local dir="$1" f owner
  [[ -d "$dir/leases" ]] || return 0
  for f in "$dir"/leases/*; do
    [[ -e "$f" ]] || continue
    owner="$(basename -- "$f")"; owner="${owner%%-*}"
    [[ "$owner" =~ ^[0-9]+$ ]] && pid_alive "$owner" || rm -f -- "$f"
  done
}

count_leases() {
  local n=0 f
  for f in "$1"/leases/*; do [[ -e "$f" ]] && n=$((n + 1)); done
  printf '%s\n' "$n"
}

cmd_start() {
  local name="" port="" fresh=0 lease=""
  while (($#)); do
    case "$1" in
      --fresh) fresh=1 ;;
      --lease) shift; lease="${1:-}"; [[ -n "$lease" ]] || die "--lease needs an id" ;;
      -*) die "start: unknown option $1" ;;
      *) if [[ -z "$name" ]]; then name="$1"; elif [[ -z "$port" ]]; then port="$1"; else die "start: too many arguments"; fi ;;
    esac
    shift
  done
  [[ -n "$name" && -n "$port" ]] || die "usage: zookeeper.sh start <name> <port> [--fresh] [--lease <id>]"
  valid_name "$name"; valid_port "$port"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (looked for '$JAVA' on PATH; set JAVA=...)"
  [[ -f "$LIB_DIR/.stamp" ]] || die "ZooKeeper jars missing in $LIB_DIR; run: $0 fetch"
  local dir="$INFRA_DIR/$name" pid
  lock "$INFRA_DIR/.locks/$name.lock"

  pid="$(running_pid "$name")"
  if [[ -n "$pid" ]]; then
    local cur; cur="$(cat "$dir/port" 2>/dev/null || true)"
    [[ "$cur" == "$port" ]] || die "instance '$name' is already running on port $cur (pid $pid), not $port"
    ((fresh)) && log "instance '$name' already running (pid $pid); ignoring --fresh"
    [[ -n "$lease" ]] && { mkdir -p "$dir/leases"; : >"$dir/leases/$lease"; }
    log "instance '$name' already running on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  port_in_use "$port" && die "port $port on 127.0.0.1 is already in use by another process"

  ((fresh)) && rm -rf -- "$dir"
  mkdir -p "$dir/data" "$dir/leases"
  rm -f -- "$dir/pid"
  prune_leases "$dir"
  [[ -n "$lease" ]] && : >"$dir/leases/$lease"
  printf '%s\n' "$port" >"$dir/port"
  write_config "$dir" "$port"

  # shellcheck disable=SC2086
  nohup "$JAVA" $ZK_HEAP_OPTS -XX:TieredStopAtLevel=1 -Dzookeeper.jmx.log4j.disable=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
    -Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.NIOServerCnxn=warn \
    -cp "$LIB_DIR/*" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" \
    </dev/null >>"$dir/server.log" 2>&1 9>&- &
  printf '%s\n' "$!" >"$dir/pid"
  log "started instance '$name' (pid $!) on 127.0.0.1:$port"
}

cmd_wait() {
  local port="${1:-}" timeout="${2:-60}" name pid start=$SECONDS
  [[ -n "$port" ]] || die "usage: zookeeper.sh wait <port> [timeout-sec]"
  valid_port "$port"
  local deadline=$((SECONDS + timeout))
  name="$(name_for_port "$port")"
  until four_letter "$port" srvr 2>/dev/null | grep -q '^Mode: '; do
    if [[ -n "$name" ]]; then
      pid="$(running_pid "$name")"
      [[ -n "$pid" ]] || { tail_log "$name"; die "server '$name' (port $port) is not running"; }
    fi
    if ((SECONDS >= deadline)); then
      [[ -n "$name" ]] && tail_log "$name"
      die "timed out after ${timeout}s waiting for ZooKeeper on 127.0.0.1:$port to serve"
    fi
    sleep 0.2
  done
  log "ZooKeeper on 127.0.0.1:$port serving after $((SECONDS - start))s"
}

cmd_stop() {
  local name="" lease=""
  while (($#)); do
    case "$1" in
      --lease) shift; lease="${1:-}"; [[ -n "$lease" ]] || die "--lease needs an id" ;;
      -*) die "stop: unknown option $1" ;;
      *) [[ -z "$name" ]] || die "stop: too many arguments"; name="$1" ;;
    esac
    shift
  done
  [[ -n "$name" ]] || die "usage: zookeeper.sh stop <name> [--lease <id>]"
  valid_name "$name"
  local dir="$INFRA_DIR/$name" pid
  [[ -d "$dir" ]] || { log "instance '$name' is not running (no state in $dir)"; return 0; }
  lock "$INFRA_DIR/.locks/$name.lock"
  if [[ -n "$lease" ]]; then
    rm -f -- "$dir/leases/$lease"
    prune_leases "$dir"
    local others
    others="$(count_leases "$dir")"
    if ((others > 0)); then
      log "instance '$name' still used by $others other lease(s); leaving it running"
      return 0
    fi
  fi
  pid="$(running_pid "$name")"
  if [[ -z "$pid" ]]; then
    rm -f -- "$dir/pid"
    log "instance '$name' is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "instance '$name' (pid $pid) did not exit within ${STOP_TIMEOUT}s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f -- "$dir/pid"
  rm -rf -- "$dir/leases"
  log "stopped instance '$name' (pid $pid)"
}

cmd_kill9() {
  local name="${1:-}"
  [[ -n "$name" ]] || die "usage: zookeeper.sh kill9 <name>"
  valid_name "$name"
  local dir="$INFRA_DIR/$name" pid
  lock "$INFRA_DIR/.locks/$name.lock"
  pid="$(running_pid "$name")"
  [[ -n "$pid" ]] || die "instance '$name' is not running"
  kill -KILL "$pid"
  local deadline=$((SECONDS + 10))
  while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  pid_alive "$pid" && die "pid $pid still alive 10s after SIGKILL"
  rm -f -- "$dir/pid"
  log "killed instance '$name' (pid $pid) with SIGKILL; data kept in $dir/data"
}

cmd_status() {
  local found=0 d name pid port
  printf '%-12s %-8s %-8s %-8s %s\n' NAME STATE PORT PID LEASES
  for d in "$INFRA_DIR"/*/; do
    [[ -f "$d/zoo.cfg" ]] || continue
    found=1
    name="$(basename -- "$d")"
    pid="$(running_pid "$name")"
    port="$(cat "$d/port" 2>/dev/null || echo '?')"
    printf '%-12s %-8s %-8s %-8s %s\n' "$name" "$([[ -n "$pid" ]] && echo running || echo stopped)" \
      "$port" "${pid:--}" "$(count_leases "$d")"
  done
  ((found)) || echo "(no instances under $INFRA_DIR)"
  if [[ -f "$LIB_DIR/.stamp" ]]; then echo "jars: $LIB_DIR (ZooKeeper $(pom_version))"; else echo "jars: not fetched (run: $0 fetch)"; fi
}

cmd_clean() {
  local name="${1:-}"
  [[ -n "$name" ]] || die "usage: zookeeper.sh clean <name>"
  valid_name "$name"
  (cmd_stop "$name")
  rm -rf -- "${INFRA_DIR:?}/$name" "$INFRA_DIR/.locks/$name.lock"
  log "removed state of instance '$name'"
}

main() {
  local cmd="${1:-help}"
  (($#)) && shift
  case "$cmd" in
    fetch) cmd_fetch "$@" ;;
    start) cmd_start "$@" ;;
    wait) cmd_wait "$@" ;;
    stop) cmd_stop "$@" ;;
    kill9) cmd_kill9 "$@" ;;
    status) cmd_status "$@" ;;
    clean) cmd_clean "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
