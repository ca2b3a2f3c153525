# shellcheck shell=bash
# Shared by the scripts that run test services as leased instances (kafka/kafka.sh,
# zookeeper/zookeeper.sh): each instance lives in $INFRA_DIR/<name>/ with `pid`, `port`,
# `server.log` and `leases/` (one file per holder, named <holder pid>-<random>).
#
# The sourcing script sets INFRA_DIR, STOP_TIMEOUT and NOUN (what an instance is called in
# messages: cluster, instance) and defines log, die and `running_pid <name>` (empty when the
# instance does not run, so that a recycled pid is never taken for it).

valid_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "invalid $NOUN name '$1' (use letters, digits, . _ -)"
}

valid_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1024 && $1 < 65535 )) || die "invalid port '$1' (need 1024..65534)"
}

# Holds an exclusive flock on $1 via fd 9 for the rest of the calling shell. Every long-lived
# child (a server JVM) must be started with 9>&- so that it does not keep the lock.
lock() {
  mkdir -p "$(dirname -- "$1")"
  exec 9>"$1"
  flock -w "${2:-300}" 9 || die "timed out waiting for lock $1"
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

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
    # A server that shut itself down logs its cause far above its shutdown lines.
    printf -- '----- ERROR/FATAL lines since its last start -----\n' >&2
    awk '/^===== /{found=""} / (ERROR|FATAL) /{found=found $0 "\n"} END{printf "%s", found}' "$logf" | tail -n 20 >&2 || true
    printf -- '-----\n' >&2
  fi
}

# Removes the leases whose holder process no longer exists (e.g. an aborted test run).
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

# `stop <name> [--lease <id>]`: SIGTERM, then SIGKILL after STOP_TIMEOUT seconds; with --lease,
# only releases that lease and stops once no other lease is left.
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
  [[ -n "$name" ]] || die "usage: stop <name> [--lease <id>]"
  valid_name "$name"
  local dir="$INFRA_DIR/$name" pid
  [[ -d "$dir" ]] || { log "$NOUN '$name' is not running (no state in $dir)"; return 0; }
  lock "$INFRA_DIR/.locks/$name.lock"
  if [[ -n "$lease" ]]; then
    rm -f -- "$dir/leases/$lease"
    prune_leases "$dir"
    local others
    others="$(count_leases "$dir")"
    if ((others > 0)); then
      log "$NOUN '$name' still used by $others other lease(s); leaving it running"
      return 0
    fi
  fi
  pid="$(running_pid "$name")"
  if [[ -z "$pid" ]]; then
    rm -f -- "$dir/pid"
    log "$NOUN '$name' is not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$NOUN '$name' (pid $pid) did not exit within ${STOP_TIMEOUT}s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f -- "$dir/pid"
  rm -rf -- "$dir/leases"
  log "stopped $NOUN '$name' (pid $pid)"
}

# `kill9 <name>`: crash the server; its data is kept for a restart. Runs `after_kill9 <name> <dir>`
# when the sourcing script defines it.
cmd_kill9() {
  local name="${1:-}"
  [[ -n "$name" ]] || die "usage: kill9 <name>"
  valid_name "$name"
  local dir="$INFRA_DIR/$name" pid
  [[ -d "$dir" ]] || die "$NOUN '$name' is not running (no state in $dir)"
  lock "$INFRA_DIR/.locks/$name.lock"
  pid="$(running_pid "$name")"
  [[ -n "$pid" ]] || die "$NOUN '$name' is not running"
  kill -KILL "$pid"
  local deadline=$((SECONDS + 10))
  while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  pid_alive "$pid" && die "pid $pid still alive 10s after SIGKILL"
  rm -f -- "$dir/pid"
  if declare -F after_kill9 >/dev/null; then after_kill9 "$name" "$dir"; fi
  log "killed $NOUN '$name' (pid $pid) with SIGKILL; data kept in $dir/data"
}

# `clean <name>`: stop it and delete its state directory.
cmd_clean() {
  local name="${1:-}"
  [[ -n "$name" ]] || die "usage: clean <name>"
  valid_name "$name"
  (cmd_stop "$name")
  rm -rf -- "${INFRA_DIR:?}/$name" "$INFRA_DIR/.locks/$name.lock"
  log "removed state of $NOUN '$name'"
}

# Parses `start <name> <port> [--fresh] [--lease <id>]` into START_NAME, START_PORT, START_FRESH
# (0/1) and START_LEASE (maybe empty), and checks name and port.
parse_start() {
  START_NAME="" START_PORT="" START_FRESH=0 START_LEASE="" START_JOIN="" START_ADVERTISE=""
  while (($#)); do
    case "$1" in
      --fresh) START_FRESH=1 ;;
      --lease) shift; START_LEASE="${1:-}"; [[ -n "$START_LEASE" ]] || die "--lease needs an id" ;;
      # Kafka only: a second broker of a running cluster, and the address clients are told.
      --join) shift; START_JOIN="${1:-}"; [[ -n "$START_JOIN" ]] || die "--join needs a cluster name" ;;
      --advertise) shift; START_ADVERTISE="${1:-}"; [[ -n "$START_ADVERTISE" ]] || die "--advertise needs host:port" ;;
      -*) die "start: unknown option $1" ;;
      *) if [[ -z "$START_NAME" ]]; then START_NAME="$1"; elif [[ -z "$START_PORT" ]]; then START_PORT="$1"; else die "start: too many arguments"; fi ;;
    esac
    shift
  done
  [[ -n "$START_NAME" && -n "$START_PORT" ]] || die "usage: start <name> <port> [--fresh] [--lease <id>]"
  valid_name "$START_NAME"; valid_port "$START_PORT"
}

# Under the instance's lock (taken here, held by the caller's shell): when the parsed instance
# already runs, checks that it is on the asked port, takes the lease and succeeds (nothing more
# to start); otherwise fails, after checking that the port is free.
joined_running() {
  local dir="$INFRA_DIR/$START_NAME" pid cur
  lock "$INFRA_DIR/.locks/$START_NAME.lock"
  pid="$(running_pid "$START_NAME")"
  if [[ -z "$pid" ]]; then
    port_in_use "$START_PORT" && die "port $START_PORT on 127.0.0.1 is already in use by another process"
    return 1
  fi
  cur="$(cat "$dir/port" 2>/dev/null || true)"
  [[ "$cur" == "$START_PORT" ]] || die "$NOUN '$START_NAME' is already running on port $cur (pid $pid), not $START_PORT"
  ((START_FRESH)) && log "$NOUN '$START_NAME' already running (pid $pid); ignoring --fresh"
  [[ -n "$START_LEASE" ]] && { mkdir -p "$dir/leases"; : >"$dir/leases/$START_LEASE"; }
  log "$NOUN '$START_NAME' already running on 127.0.0.1:$START_PORT (pid $pid)"
  return 0
}

# The parsed instance's directory made ready for a new server: wiped with --fresh, data/ and
# leases/ present, stale leases pruned, the lease taken and the port recorded.
prepare_instance_dir() {
  local dir="$INFRA_DIR/$START_NAME"
  ((START_FRESH)) && rm -rf -- "$dir"
  mkdir -p "$dir/data" "$dir/leases"
  rm -f -- "$dir/pid"
  prune_leases "$dir"
  [[ -n "$START_LEASE" ]] && : >"$dir/leases/$START_LEASE"
  printf '%s\n' "$START_PORT" >"$dir/port"
}
