#!/usr/bin/env bash
# Single real OpenSearch 2.19.6 node for the test suite, run with `java` from Maven Central jars.
#
#   opensearch.sh fetch                    assemble .infra/opensearch/home (lib/ + modules/) via pom.xml
#   opensearch.sh start <name> <http-port> start node <name> in the background (data in
#                                          .infra/opensearch/<name>/), HTTP on 127.0.0.1:<port>,
#                                          transport on <port>+1
#   opensearch.sh wait <name> [timeout]    until cluster health is green or yellow (default 120 s)
#   opensearch.sh stop <name>              SIGTERM (SIGKILL after 30 s); data is kept
#   opensearch.sh kill9 <name>             SIGKILL (crash simulation); data is kept
#   opensearch.sh status                   instances, ports and live processes
#   opensearch.sh clean <name>             stop and delete .infra/opensearch/<name>
#
# OpenSearch refuses to run as root; as root (CI, this machine) the node runs as the system
# user millrace-opensearch, created on first use, which owns the instance's directory.
#
# Env: OPENSEARCH_HEAP (default 512m; -Xms is 256m), JAVA (default: java on PATH), MVN (default: mvn).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"
BASE_DIR="$REPO_ROOT/.infra/opensearch"
HOME_DIR="$BASE_DIR/home"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
HEAP="${OPENSEARCH_HEAP:-512m}"
MODULES=(transport-netty4 lang-painless analysis-common)

# shellcheck source=../daemon.sh
source "$SCRIPT_DIR/../daemon.sh"

inst_dir() { echo "$BASE_DIR/$1"; }

node_pid() { pid_in "$(inst_dir "$1")/node.pid"; }

node_running() { alive "$(inst_dir "$1")/node.pid"; }

show_log() {
  local f
  f="$(inst_dir "$1")/node.log"
  [[ -f "$f" ]] || return 0
  echo "----- tail of $f -----" >&2
  tail -n 40 "$f" | cut -c1-400 >&2
}

# The module descriptors and security policies the distribution's zip carries (the Maven jars do
# not): class names and grants as in OpenSearch 2.19's modules/*/src/main/plugin-metadata.
descriptor() {
  local name="$1" class="$2" extended="${3:-}"
  cat <<PROPS
description=$name (assembled from Maven Central for millrace tests)
version=2.19.6
name=$name
classname=$class
java.version=17
opensearch.version=2.19.6
extended.plugins=$extended
has.native.controller=false
PROPS
}

write_module_metadata() {
  local m="$HOME_DIR/modules"
  descriptor transport-netty4 org.opensearch.transport.Netty4Plugin >"$m/transport-netty4/plugin-descriptor.properties"
  cat >"$m/transport-netty4/plugin-security.policy" <<'POLICY'
grant codeBase "${codebase.netty-common}" {
  permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
  permission java.net.SocketPermission "*", "accept,connect";
  permission java.lang.RuntimePermission "*", "setContextClassLoader";
};
grant codeBase "${codebase.netty-transport}" {
  permission java.util.PropertyPermission "sun.nio.ch.bugLevel", "write";
};
POLICY
  descriptor lang-painless org.opensearch.painless.PainlessPlugin >"$m/lang-painless/plugin-descriptor.properties"
  cat >"$m/lang-painless/plugin-security.policy" <<'POLICY'
grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
POLICY
  descriptor analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless \
    >"$m/analysis-common/plugin-descriptor.properties"
}

home_present() { [[ -f "$HOME_DIR/.complete" ]]; }

cmd_fetch() {
  mkdir -p "$BASE_DIR"
  if home_present; then
    echo "opensearch home present in $HOME_DIR"
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "maven ('$MVN') not found: apt-get install maven"
  rm -rf "$HOME_DIR"
  mkdir -p "$HOME_DIR/plugins" "$HOME_DIR/bin"
  if ! "$MVN" -B -q -f "$SCRIPT_DIR/pom.xml" dependency:copy-dependencies@lib \
    dependency:copy-dependencies@netty4 dependency:copy-dependencies@painless \
    dependency:copy-dependencies@analysis -Dhome="$HOME_DIR" >"$BASE_DIR/fetch.log" 2>&1; then
    tail -n 40 "$BASE_DIR/fetch.log" >&2
    die "mvn dependency:copy-dependencies failed (log: $BASE_DIR/fetch.log)"
  fi
  rm -rf "$SCRIPT_DIR/target"
  write_module_metadata
  touch "$HOME_DIR/.complete"
  echo "assembled $HOME_DIR: $(find "$HOME_DIR/lib" -name '*.jar' | wc -l) jars, modules ${MODULES[*]}"
}

write_conf() {
  local dir="$1" name="$2" port="$3" conf="$1/config"
  mkdir -p "$conf" "$dir/data" "$dir/logs" "$dir/tmp"
  cat >"$conf/opensearch.yml" <<YML
cluster.name: millrace-$name
node.name: $name
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $port
transport.port: $((port + 1))
discovery.type: single-node
# A shared test machine's disk may be fuller than the default watermarks allow.
cluster.routing.allocation.disk.threshold_enabled: false
YML
  cat >"$conf/log4j2.properties" <<'LOG'
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
logger.deprecation.name = org.opensearch.deprecation
logger.deprecation.level = error
LOG
  : >"$conf/jvm.options"
}

RUN_USER=millrace-opensearch

# The command prefix that drops root: empty when not root.
run_as() {
  local dir="$1"
  if [[ "$(id -u)" != 0 ]]; then
    return 0
  fi
  if ! id -u "$RUN_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER" ||
      id -u "$RUN_USER" >/dev/null 2>&1 || die "could not create user $RUN_USER"
  fi
  chown -R "$RUN_USER:" "$dir"
  echo setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --clear-groups --
}

cmd_start() {
  local name="${1:-}" port="${2:-}"
  check_name "$name"
  check_port "$port" 65534
  command -v "$JAVA" >/dev/null 2>&1 || die "java ('$JAVA') not found: apt-get install openjdk-17-jre-headless"
  mkdir -p "$BASE_DIR"
  # Serialise concurrent starts (parallel test files) and the fetch.
  exec 8>"$BASE_DIR/.fetch.lock"
  flock 8
  home_present || cmd_fetch
  flock -u 8
  local dir
  dir="$(inst_dir "$name")"
  mkdir -p "$dir"
  exec 9>"$dir/.start.lock"
  flock 9
  if node_running "$name"; then
    [[ "$(cat "$dir/port")" == "$port" ]] || die "instance '$name' is running on port $(cat "$dir/port"), not $port"
    echo "opensearch '$name' already running (pid $(node_pid "$name"))"
    return 0
  fi
  echo "$port" >"$dir/port"
  write_conf "$dir" "$name" "$port"
  echo "===== $(date -Is) starting =====" >>"$dir/node.log"
  local -a drop
  read -r -a drop <<<"$(run_as "$dir")"
  setsid "${drop[@]}" "$JAVA" -Xms256m "-Xmx$HEAP" -XX:+UseG1GC \
    -Dfile.encoding=UTF-8 -Djava.locale.providers=SPI,COMPAT -Djava.io.tmpdir="$dir/tmp" \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
    -Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0 \
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true \
    -Dopensearch.path.home="$HOME_DIR" -Dopensearch.path.conf="$dir/config" \
    -Dopensearch.distribution.type=tar -Dopensearch.bundled_jdk=false \
    -cp "$HOME_DIR/lib/*" org.opensearch.bootstrap.OpenSearch \
    </dev/null >>"$dir/node.log" 2>&1 8>&- 9>&- &
  echo $! >"$dir/node.pid"
  sleep 0.5
  if ! node_running "$name"; then
    show_log "$name"
    die "node '$name' exited right after start"
  fi
  echo "opensearch '$name' starting: http://127.0.0.1:$port (pid $(node_pid "$name"))"
}

cmd_wait() {
  local name="${1:-}" timeout="${2:-120}" port deadline
  check_name "$name"
  command -v curl >/dev/null 2>&1 || die "curl is required for wait"
  port="$(cat "$(inst_dir "$name")/port" 2>/dev/null)" || die "no instance '$name'"
  deadline=$((SECONDS + timeout))
  while :; do
    if curl -sf -o /dev/null -m 5 "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=2s"; then
      echo "opensearch '$name' ready on http://127.0.0.1:$port"
      return 0
    fi
    if ! node_running "$name"; then
      show_log "$name"
      die "node '$name' is not running"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$name"
      die "node '$name' not ready after ${timeout}s"
    fi
    sleep 0.5
  done
}

stop_node() {
  stop_pid "$(inst_dir "$1")/node.pid" "$2" "opensearch '$1'"
}

cmd_status() {
  local d name
  [[ -d "$BASE_DIR" ]] || {
    echo "no instances"
    return 0
  }
  for d in "$BASE_DIR"/*/; do
    [[ -f "$d/port" ]] || continue
    name="$(basename "$d")"
    if node_running "$name"; then
      echo "$name running port=$(cat "$d/port") pid=$(node_pid "$name")"
    else
      echo "$name stopped port=$(cat "$d/port")"
    fi
  done
}

cmd="${1:-}"
shift || true
case "$cmd" in
  fetch) cmd_fetch ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  stop) check_name "${1:-}" && stop_node "$1" TERM ;;
  kill9) check_name "${1:-}" && stop_node "$1" KILL ;;
  status) cmd_status ;;
  clean)
    check_name "${1:-}"
    stop_node "$1" TERM
    rm -rf "$(inst_dir "$1")"
    echo "opensearch '$1' removed"
    ;;
  *) die "usage: opensearch.sh fetch|start <name> <port>|wait <name> [timeout]|stop <name>|kill9 <name>|status|clean <name>" ;;
esac
