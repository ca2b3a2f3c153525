#!/usr/bin/env bash
# Real Apache Kafka (KRaft, single node) for millrace's integration tests.
#
# The broker jars come from Maven Central (see pom.xml); nothing is downloaded
# from anywhere else. State lives under <repo>/.infra/kafka/ (gitignored):
#   lib/               broker, clients and tools jars (+ .stamp)
#   classes/           compiled readiness probe (KafkaReady.java)
#   <name>/data        KRaft log dir of cluster <name>
#   <name>/server.log  broker stdout/stderr
#   <name>/server.properties, <name>/pid, <name>/port, <name>/leases/
#   .locks/            flock files serialising fetch and per-cluster start/stop
#
# Usage: kafka.sh <command> [args]      (run `kafka.sh help` for the list)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../../.." && pwd -P)"
INFRA_DIR="${MILLRACE_KAFKA_INFRA_DIR:-$REPO_ROOT/.infra/kafka}"
LIB_DIR="$INFRA_DIR/lib"
CLASSES_DIR="$INFRA_DIR/classes"
POM="$SCRIPT_DIR/pom.xml"
JAVA="${JAVA:-java}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

NOUN=cluster
# shellcheck source=../instances.sh
source "$SCRIPT_DIR/../instances.sh"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<'EOF'
usage: kafka.sh <command> [args]

  fetch                         fetch Kafka jars from Maven Central into .infra/kafka/lib (idempotent)
  start <name> <port> [--fresh] [--lease <id>] [--join <cluster>] [--advertise <host:port>]
                                start KRaft broker+controller <name> on 127.0.0.1:<port>
                                (controller on <port+1>); keeps existing data unless --fresh;
                                no-op if <name> is already running on <port>; with --join,
                                a second broker (node 2) of running <cluster> instead; with
                                --advertise, clients are told to connect there (a proxy)
  wait <port> [timeout-sec]     wait until the broker on <port> answers metadata requests
                                with a live broker (default timeout 90s)
  stop <name> [--lease <id>]    stop <name> (SIGTERM, then SIGKILL after ${KAFKA_STOP_TIMEOUT:-30}s);
                                with --lease, only release that lease and stop once none are left
  kill9 <name>                  kill -9 the broker (crash tests); data is kept for a restart
  status                        show known clusters
  clean <name>                  stop <name> and delete its state directory
  perf-producer [args...]       org.apache.kafka.tools.ProducerPerformance (args passed through)
  perf-consumer [args...]       org.apache.kafka.tools.ConsumerPerformance (args passed through)
  classpath                     print the Java classpath of the fetched jars

Environment: JAVA (default: java from PATH), KAFKA_HEAP_OPTS (default: -Xms256m -Xmx512m),
KAFKA_STOP_TIMEOUT (seconds), MILLRACE_KAFKA_INFRA_DIR (default: <repo>/.infra/kafka).
EOF
}

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (looked for '$JAVA' on PATH; set JAVA=...)"
}

require_lib() {
  [[ -f "$LIB_DIR/.stamp" ]] || die "Kafka jars missing in $LIB_DIR; run: $0 fetch"
}

pom_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1; }

# Pid of the running broker of cluster $1, or empty. Checks that the pid still
# belongs to a kafka.Kafka JVM, so a recycled pid is never mistaken for it.
running_pid() {
  local pidfile="$INFRA_DIR/$1/pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    printf '%s\n' "$pid"
  fi
}

cmd_fetch() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch the Kafka jars)"
  local want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$LIB_DIR/.stamp" && "$(cat "$LIB_DIR/.stamp")" == "$want" ]] && probe_fresh; then
    return 0
  fi
  lock "$INFRA_DIR/.locks/fetch.lock" 900
  if [[ -f "$LIB_DIR/.stamp" && "$(cat "$LIB_DIR/.stamp")" == "$want" ]]; then
    ensure_probe  # jars present (maybe fetched while we waited for the lock)
    return 0
  fi
  local tmp="$INFRA_DIR/lib.tmp.$$" start=$SECONDS
  log "fetching Apache Kafka $(pom_version) jars from Maven Central into $LIB_DIR ..."
  rm -rf -- "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" >"$INFRA_DIR/fetch.log" 2>&1 </dev/null; then
    tail -n 40 "$INFRA_DIR/fetch.log" >&2 || true
    rm -rf -- "$tmp"
    die "mvn dependency:copy-dependencies failed (full log: $INFRA_DIR/fetch.log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "fetch produced no kafka_2.13 jar in $tmp"
  printf '%s\n' "$want" >"$tmp/.stamp"
  rm -rf -- "$LIB_DIR" "$CLASSES_DIR"
  mv -- "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - start))s"
  ensure_probe
}

probe_fresh() {
  [[ -f "$CLASSES_DIR/KafkaReady.class" && "$CLASSES_DIR/KafkaReady.class" -nt "$SCRIPT_DIR/KafkaReady.java" ]] \
    || ! command -v javac >/dev/null 2>&1
}

# Compiles the readiness probe (caller holds the fetch lock). Without javac,
# `wait` falls back to running KafkaReady.java in source-file mode.
ensure_probe() {
  probe_fresh && return 0
  local tmp="$INFRA_DIR/classes.tmp.$$"
  rm -rf -- "$tmp"
  mkdir -p "$tmp"
  javac -nowarn -d "$tmp" -cp "$LIB_DIR/*" "$SCRIPT_DIR/KafkaReady.java" \
    || { rm -rf -- "$tmp"; die "could not compile KafkaReady.java"; }
  rm -rf -- "$CLASSES_DIR"
  mv -- "$tmp" "$CLASSES_DIR"
}

write_server_properties() {
  local dir="$1" port="$2" cport="$3" advertise="${4:-127.0.0.1:$2}" join_cport="${5:-}"
  local roles="broker,controller" node=1 voters="1@127.0.0.1:$cport" listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
  if [[ -n "$join_cport" ]]; then
    roles=broker node=2 voters="1@127.0.0.1:$join_cport" listeners="PLAINTEXT://127.0.0.1:$port"
  fi
  cat >"$dir/server.properties" <<EOF
# Generated by test/infra/kafka/kafka.sh -- KRaft cluster for tests.
process.roles=$roles
node.id=$node
controller.quorum.voters=$voters
listeners=$listeners
advertised.listeners=PLAINTEXT://$advertise
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
# After a kill -9 the controller refuses to register the restarted broker until
# the old incarnation's session expires (default 9s); keep that short for tests.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=500
num.network.threads=2
num.io.threads=4
# No time retention: tests stamp records with fixed event times (days old by the time a suite
# runs), and a retention check deleting them mid-test looked like a consumer that never reads.
# Size bounds the disk instead (1 GiB a partition).
log.retention.ms=-1
log.retention.bytes=1073741824
log.segment.bytes=268435456
EOF
}

cmd_start() {
  parse_start "$@"
  local name="$START_NAME" port="$START_PORT" cport=$((START_PORT + 1)) pid
  local dir="$INFRA_DIR/$name"
  require_java; require_lib
  joined_running && return 0
  local join_cport="" cluster_id=""
  if [[ -n "$START_JOIN" ]]; then
    valid_name "$START_JOIN"
    [[ -f "$INFRA_DIR/$START_JOIN/cluster.id" && -n "$(running_pid "$START_JOIN")" ]] || die "cluster '$START_JOIN' to join is not running"
    join_cport=$(( $(cat "$INFRA_DIR/$START_JOIN/port") + 1 ))
    cluster_id="$(cat "$INFRA_DIR/$START_JOIN/cluster.id")"
  else
    port_in_use "$cport" && die "controller port $cport on 127.0.0.1 is already in use by another process"
  fi
  prepare_instance_dir
  write_server_properties "$dir" "$port" "$cport" "$START_ADVERTISE" "$join_cport"

  if [[ ! -f "$dir/data/meta.properties" ]]; then
    # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding.
    # Re-draw an id that starts with '-': StorageTool would read it as an option.
    [[ -n "$cluster_id" ]] || cluster_id="-"
    while [[ "$cluster_id" == -* ]]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    if ! "$JAVA" -Xmx256m -cp "$LIB_DIR/*" -Dlog4j.configuration="file:$SCRIPT_DIR/log4j-tools.properties" \
        kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$dir/server.properties" \
        >"$dir/format.log" 2>&1 </dev/null; then
      cat "$dir/format.log" >&2
      die "formatting KRaft storage for '$name' failed"
    fi
    printf '%s\n' "$cluster_id" >"$dir/cluster.id"
  fi

  {
    printf '\n===== %s starting cluster %s on 127.0.0.1:%s (controller %s) =====\n' \
      "$(date -Is)" "$name" "$port" "$cport"
  } >>"$dir/server.log"
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of JVM flags
  setsid "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$SCRIPT_DIR/log4j-server.properties" \
    -Dmillrace.kafka.cluster="$name" \
    -cp "$LIB_DIR/*" kafka.Kafka "$dir/server.properties" \
    >>"$dir/server.log" 2>&1 </dev/null 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$dir/pid"
  sleep 0.3
  if ! pid_alive "$pid"; then
    tail_log "$name"
    die "broker '$name' exited immediately"
  fi
  log "started cluster '$name' on 127.0.0.1:$port (controller 127.0.0.1:$cport, pid $pid, log $dir/server.log)"
}

cmd_wait() {
  local port="${1:-}" timeout="${2:-90}"
  [[ -n "$port" ]] || die "usage: kafka.sh wait <port> [timeout-sec]"
  valid_port "$port"
  [[ "$timeout" =~ ^[0-9]+$ ]] || die "invalid timeout '$timeout'"
  require_java; require_lib
  local name pid deadline=$((SECONDS + timeout)) start=$SECONDS
  name="$(name_for_port "$port")"

  # Phase 1: the TCP port opens (cheap, and notices a broker that died early).
  until port_in_use "$port"; do
    if [[ -n "$name" ]]; then
      pid="$(running_pid "$name")"
      if [[ -z "$pid" ]]; then
        tail_log "$name"
        die "broker '$name' (port $port) is not running"
      fi
    fi
    if ((SECONDS >= deadline)); then
      [[ -n "$name" ]] && tail_log "$name"
      die "timed out after ${timeout}s waiting for 127.0.0.1:$port to accept connections"
    fi
    sleep 0.2
  done

  # Phase 2: a real Admin client sees a live broker in the cluster metadata.
  local left=$((deadline - SECONDS)); ((left < 5)) && left=5
  local probe=(-cp "$CLASSES_DIR:$LIB_DIR/*" KafkaReady)
  [[ -f "$CLASSES_DIR/KafkaReady.class" ]] || probe=(-cp "$LIB_DIR/*" "$SCRIPT_DIR/KafkaReady.java")
  if ! "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$SCRIPT_DIR/log4j-tools.properties" \
      "${probe[@]}" "127.0.0.1:$port" "$left" </dev/null >&2; then
    [[ -n "$name" ]] && tail_log "$name"
    die "timed out after ${timeout}s waiting for the broker on 127.0.0.1:$port to serve metadata"
  fi
  log "broker on 127.0.0.1:$port ready after $((SECONDS - start))s"
}

# kill9's mark in the broker log, so a reader of server.log sees where the crash was.
after_kill9() {
  printf '\n===== %s killed with SIGKILL by kafka.sh kill9 =====\n' "$(date -Is)" >>"$2/server.log"
}

cmd_status() {
  local found=0 d name pid port leases
  printf '%-12s %-8s %-8s %-8s %s\n' NAME STATE PORT PID LEASES
  for d in "$INFRA_DIR"/*/; do
    [[ -f "$d/server.properties" ]] || continue
    found=1
    name="$(basename -- "$d")"
    pid="$(running_pid "$name")"
    port="$(cat "$d/port" 2>/dev/null || echo '?')"
    leases="$(count_leases "$d")"
    printf '%-12s %-8s %-8s %-8s %s\n' "$name" "$([[ -n "$pid" ]] && echo running || echo stopped)" \
      "$port" "${pid:--}" "$leases"
  done
  ((found)) || echo "(no clusters under $INFRA_DIR)"
  if [[ -f "$LIB_DIR/.stamp" ]]; then
    echo "jars: $LIB_DIR (Kafka $(pom_version))"
  else
    echo "jars: not fetched (run: $0 fetch)"
  fi
}

run_tool() {
  local main="$1"; shift
  require_java; require_lib
  # shellcheck disable=SC2086
  exec "$JAVA" ${KAFKA_TOOL_HEAP_OPTS:--Xmx512m} -Dlog4j.configuration="file:$SCRIPT_DIR/log4j-tools.properties" \
    -cp "$LIB_DIR/*" "$main" "$@"
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
    perf-producer) run_tool org.apache.kafka.tools.ProducerPerformance "$@" ;;
    perf-consumer) run_tool org.apache.kafka.tools.ConsumerPerformance "$@" ;;
    classpath) require_lib; printf '%s\n' "$LIB_DIR/*" ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
