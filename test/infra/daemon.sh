# Helpers of the scripts that run a test service as background processes (hdfs.sh,
# opensearch.sh): sourced, not run. Each process has a pid file.

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

check_name() {
  [[ "${1:-}" =~ ^[A-Za-z0-9_-]+$ ]] || die "bad instance name '${1:-}'"
}

# check_port PORT [MAX]: a TCP port, at most MAX (default 65535; lower when PORT+n are used too).
check_port() {
  if ! [[ "${1:-}" =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > ${2:-65535})); then
    die "bad port '${1:-}'"
  fi
}

# pid_in FILE: the pid written in FILE; fails when there is none.
pid_in() {
  [[ -s "$1" ]] && tr -d '[:space:]' <"$1"
}

# alive FILE: whether the pid in FILE is a live process.
alive() {
  local pid
  pid="$(pid_in "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# stop_pid FILE SIGNAL WHAT [TIMEOUT]: signals the process in FILE and waits for it to exit
# (SIGKILL after TIMEOUT seconds, default 30), then removes FILE. Says what happened to WHAT.
stop_pid() {
  local file="$1" sig="$2" what="$3" timeout="${4:-30}" pid
  pid="$(pid_in "$file" 2>/dev/null)" || pid=""
  if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$file"
    echo "$what not running"
    return 0
  fi
  kill "-$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "$what (pid $pid) ignored SIG$sig for ${timeout}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  rm -f "$file"
  echo "$what stopped (SIG$sig, pid $pid)"
}
