#!/usr/bin/env bash
# Single-node Apache HDFS (real NameNode + DataNode, WebHDFS on) for the test suite.
#
#   hdfs.sh fetch                          copy Hadoop jars from Maven Central into .infra/hdfs/lib
#   hdfs.sh start <name> <nn-http-port>    format (first time only) .infra/hdfs/<name>/ and start
#                                          NameNode + DataNode in the background on 127.0.0.1
#   hdfs.sh wait <nn-http-port> [timeout]  until WebHDFS LISTSTATUS answers and a probe file
#                                          can be CREATEd through the DataNode (default 120 s)
#   hdfs.sh stop <name> [namenode|datanode]   SIGTERM (then SIGKILL after 30 s)
#   hdfs.sh kill9 <name> [namenode|datanode]  SIGKILL (crash simulation); data is kept
#   hdfs.sh status                         list instances, ports and live processes
#   hdfs.sh clean <name>                   stop and delete .infra/hdfs/<name>
#
# Ports, all on 127.0.0.1, derived from the NameNode HTTP port P:
#   P   NameNode HTTP / WebHDFS        P+1 NameNode RPC (fs.defaultFS)
#   P+2 DataNode data transfer         P+3 DataNode HTTP (WebHDFS OPEN/CREATE redirects here)
#   P+4 DataNode IPC                   P+5 / P+6 NameNode / DataNode HTTPS (configured, unused)
# so instances "a" at 19870 and "b" at 29870 can run side by side.
#
# Env: HDFS_HEAP (default 512m), JAVA (default: java on PATH), MVN (default: mvn).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../../.." && pwd)"
BASE_DIR="$REPO_ROOT/.infra/hdfs"
LIB_DIR="$BASE_DIR/lib"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
HEAP="${HDFS_HEAP:-512m}"
ROLES=(namenode datanode)

# shellcheck source=../daemon.sh
source "$SCRIPT_DIR/../daemon.sh"

inst_dir() { echo "$BASE_DIR/$1"; }

role_class() {
  case "$1" in
    namenode) echo org.apache.hadoop.hdfs.server.namenode.NameNode ;;
    datanode) echo org.apache.hadoop.hdfs.server.datanode.DataNode ;;
    *) die "unknown role '$1'" ;;
  esac
}

role_pid() { pid_in "$(inst_dir "$1")/$2.pid"; }

role_running() { alive "$(inst_dir "$1")/$2.pid"; }

show_logs() {
  local dir="$1" f
  for f in "$dir"/*.log; do
    [[ -f "$f" ]] || continue
    echo "----- tail of $f -----" >&2
    tail -n 30 "$f" | cut -c1-400 >&2
  done
}

jars_present() {
  compgen -G "$LIB_DIR/hadoop-hdfs-3*.jar" >/dev/null &&
    compgen -G "$LIB_DIR/hadoop-common-3*.jar" >/dev/null &&
    [[ -f "$LIB_DIR/.complete" ]]
}

cmd_fetch() {
  mkdir -p "$BASE_DIR"
  if jars_present; then
    echo "hadoop jars present in $LIB_DIR ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars)"
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "maven ('$MVN') not found"
  mkdir -p "$LIB_DIR"
  rm -f "$LIB_DIR/.complete"
  if ! "$MVN" -B -q -f "$SCRIPT_DIR/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB_DIR" >"$BASE_DIR/fetch.log" 2>&1; then
    tail -n 40 "$BASE_DIR/fetch.log" >&2
    die "mvn dependency:copy-dependencies failed"
  fi
  # Clean up anything Maven may have left under test/ (target/ is gitignored anyway).
  rm -rf "$SCRIPT_DIR/target"
  touch "$LIB_DIR/.complete"
  echo "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars into $LIB_DIR"
}

prop() {
  printf '  <property><name>%s</name><value>%s</value></property>\n' "$1" "$2"
}

write_conf() {
  local dir="$1" port="$2" conf="$1/conf"
  local h=127.0.0.1
  mkdir -p "$conf"
  # HttpServer2 insists on finding webapps/<name> on the classpath; the Maven jars do
  # not ship the web UIs (only the tests jar does). WebHDFS itself is a servlet that is
  # registered programmatically, so empty web app directories are enough.
  local app
  for app in hdfs datanode secondary journal static; do
    mkdir -p "$conf/webapps/$app"
  done
  {
    echo '<?xml version="1.0"?>'
    echo '<configuration>'
    prop fs.defaultFS "hdfs://$h:$((port + 1))"
    prop hadoop.tmp.dir "$dir/tmp"
    prop hadoop.security.authentication simple
    prop hadoop.http.staticuser.user "$(id -un)"
    prop hadoop.proxyuser.root.hosts '*'
    prop hadoop.proxyuser.root.groups '*'
    echo '</configuration>'
  } >"$conf/core-site.xml"
  {
    echo '<?xml version="1.0"?>'
    echo '<configuration>'
    prop dfs.namenode.name.dir "file://$dir/name"
    prop dfs.datanode.data.dir "file://$dir/data"
    prop dfs.namenode.http-address "$h:$port"
    prop dfs.namenode.rpc-address "$h:$((port + 1))"
    prop dfs.datanode.address "$h:$((port + 2))"
    prop dfs.datanode.http.address "$h:$((port + 3))"
    prop dfs.datanode.ipc.address "$h:$((port + 4))"
    prop dfs.namenode.https-address "$h:$((port + 5))"
    prop dfs.datanode.https.address "$h:$((port + 6))"
    prop dfs.namenode.secondary.http-address "$h:0"
    prop dfs.namenode.secondary.https-address "$h:0"
    prop dfs.namenode.backup.address "$h:0"
    prop dfs.namenode.backup.http-address "$h:0"
    prop dfs.datanode.hostname "$h"
    prop dfs.client.use.datanode.hostname true
    prop dfs.datanode.use.datanode.hostname true
    prop dfs.namenode.datanode.registration.ip-hostname-check false
    prop dfs.webhdfs.enabled true
    prop dfs.permissions.enabled false
    prop dfs.replication 1
    prop dfs.namenode.replication.min 1
    prop dfs.blocksize 16777216
    prop dfs.client.block.write.replace-datanode-on-failure.enable false
    prop dfs.namenode.safemode.extension 0
    prop dfs.namenode.safemode.min.datanodes 0
    prop dfs.heartbeat.interval 1
    prop dfs.namenode.heartbeat.recheck-interval 5000
    prop dfs.namenode.stale.datanode.interval 10000
    prop dfs.blockreport.initialDelay 0
    prop dfs.datanode.du.reserved 0
    prop dfs.namenode.resource.du.reserved 10485760
    prop dfs.namenode.fs-limits.min-block-size 1024
    prop dfs.datanode.max.transfer.threads 256
    prop dfs.namenode.handler.count 4
    prop dfs.datanode.handler.count 4
    echo '</configuration>'
  } >"$conf/hdfs-site.xml"
  cat >"$conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.eclipse.jetty=WARN
log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN
log4j.logger.BlockStateChange=WARN
log4j.logger.org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit=WARN
log4j.logger.org.apache.hadoop.hdfs.server.datanode.DataNode.clienttrace=WARN
log4j.logger.org.apache.hadoop.metrics2=WARN
EOF
}

java_opts() {
  local dir="$1" role="$2"
  printf '%s\n' \
    "-Xmx$HEAP" "-Xms64m" "-XX:+UseSerialGC" "-XX:TieredStopAtLevel=1" "-Xss512k" \
    "-Djava.net.preferIPv4Stack=true" \
    "-Djava.io.tmpdir=$dir/tmp" \
    "-Dhadoop.log.dir=$dir" "-Dhadoop.log.file=$role.log" \
    "-Dhadoop.home.dir=$BASE_DIR" \
    "-Dhadoop.id.str=$(id -un)" "-Dhadoop.root.logger=INFO,console" \
    "-Dhadoop.security.logger=WARN,console" \
    "-Dlog4j.configuration=file:$dir/conf/log4j.properties" \
    "--add-opens=java.base/java.lang=ALL-UNNAMED" \
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED" \
    "--add-opens=java.base/java.io=ALL-UNNAMED" \
    "--add-opens=java.base/java.net=ALL-UNNAMED" \
    "--add-opens=java.base/java.nio=ALL-UNNAMED" \
    "--add-opens=java.base/java.util=ALL-UNNAMED" \
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED" \
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED" \
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED" \
    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED" \
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED" \
    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED" \
    "--add-exports=java.base/sun.net.dns=ALL-UNNAMED" \
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED"
}

format_namenode() {
  local dir="$1" name="$2"
  local -a opts
  mapfile -t opts < <(java_opts "$dir" format)
  "$JAVA" "${opts[@]}" -cp "$dir/conf:$LIB_DIR/*" "$(role_class namenode)" \
    -format -force -nonInteractive -clusterid "millrace-$name"
}

start_role() {
  local dir="$1" name="$2" role="$3"
  if role_running "$name" "$role"; then
    echo "$role of '$name' already running (pid $(role_pid "$name" "$role"))"
    return 0
  fi
  local -a opts
  mapfile -t opts < <(java_opts "$dir" "$role")
  echo "===== $(date -Is) starting $role =====" >>"$dir/$role.log"
  setsid "$JAVA" "${opts[@]}" -cp "$dir/conf:$LIB_DIR/*" "$(role_class "$role")" \
    </dev/null >>"$dir/$role.log" 2>&1 8>&- 9>&- &
  echo $! >"$dir/$role.pid"
}

cmd_start() {
  local name="${1:-}" port="${2:-}"
  check_name "$name"
  check_port "$port" 65529
  command -v "$JAVA" >/dev/null 2>&1 || die "java ('$JAVA') not found"
  mkdir -p "$BASE_DIR"
  # Serialise concurrent starts (parallel test files) of the same instance / the fetch.
  exec 8>"$BASE_DIR/.fetch.lock"
  flock 8
  jars_present || cmd_fetch
  flock -u 8
  local dir
  dir="$(inst_dir "$name")"
  mkdir -p "$dir/tmp"
  exec 9>"$dir/.start.lock"
  flock 9
  if [[ -f "$dir/port" ]] && [[ "$(cat "$dir/port")" != "$port" ]]; then
    if role_running "$name" namenode || role_running "$name" datanode; then
      die "instance '$name' is running on port $(cat "$dir/port"), not $port"
    fi
  fi
  echo "$port" >"$dir/port"
  write_conf "$dir" "$port"

  if [[ ! -f "$dir/name/current/VERSION" ]]; then
    # Fresh namenode: a datanode dir from an older format would carry a foreign clusterID.
    rm -rf "$dir/name" "$dir/data"
    if ! format_namenode "$dir" "$name" >"$dir/format.log" 2>&1; then
      show_logs "$dir"
      die "namenode format failed for '$name'"
    fi
  fi

  start_role "$dir" "$name" namenode
  start_role "$dir" "$name" datanode
  sleep 0.5
  local role
  for role in "${ROLES[@]}"; do
    if ! role_running "$name" "$role"; then
      show_logs "$dir"
      die "$role of '$name' exited right after start"
    fi
  done
  echo "hdfs '$name' starting: webhdfs http://127.0.0.1:$port/webhdfs/v1 rpc hdfs://127.0.0.1:$((port + 1))" \
    "(namenode pid $(role_pid "$name" namenode), datanode pid $(role_pid "$name" datanode))"
}

# Instance directory whose port file matches $1 (empty if none).
dir_for_port() {
  local f
  for f in "$BASE_DIR"/*/port; do
    [[ -f "$f" ]] || continue
    if [[ "$(cat "$f")" == "$1" ]]; then
      dirname "$f"
      return 0
    fi
  done
  return 0
}

probe_write() {
  local base="$1" path="/tmp/.millrace-probe-$$-$RANDOM" out code loc
  out="$(curl -sS -o /dev/null -m 10 -w '%{http_code} %{redirect_url}' -X PUT \
    "$base$path?op=CREATE&overwrite=true&user.name=millrace")" || return 1
  code="${out%% *}"
  loc="${out#* }"
  [[ "$code" == 307 && -n "$loc" ]] || return 1
  case "$loc" in
    http://127.0.0.1:*) ;;
    *)
      echo "hdfs.sh: datanode redirect is not to 127.0.0.1: $loc" >&2
      return 1
      ;;
  esac
  code="$(printf 'probe' | curl -sS -o /dev/null -m 20 -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/octet-stream' --data-binary @- "$loc")" || return 1
  [[ "$code" == 201 ]] || return 1
  curl -sS -o /dev/null -m 10 -X DELETE "$base$path?op=DELETE&user.name=millrace" || true
  return 0
}

cmd_wait() {
  local port="${1:-}" timeout="${2:-120}"
  check_port "$port" 65529
  command -v curl >/dev/null 2>&1 || die "curl is required for wait"
  local base="http://127.0.0.1:$port/webhdfs/v1" dir deadline stage="LISTSTATUS"
  dir="$(dir_for_port "$port")"
  deadline=$((SECONDS + timeout))
  while :; do
    if [[ "$stage" == LISTSTATUS ]]; then
      if curl -sf -o /dev/null -m 5 "$base/?op=LISTSTATUS&user.name=millrace"; then
        stage=CREATE
        continue
      fi
    elif probe_write "$base" 2>/dev/null; then
      echo "hdfs on port $port ready (webhdfs answers, datanode accepts writes)"
      return 0
    fi
    if [[ -n "$dir" ]]; then
      local name role
      name="$(basename "$dir")"
      for role in "${ROLES[@]}"; do
        if ! role_running "$name" "$role"; then
          show_logs "$dir"
          die "$role of '$name' is not running (while waiting for $stage)"
        fi
      done
    fi
    if ((SECONDS >= deadline)); then
      [[ -n "$dir" ]] && show_logs "$dir"
      die "hdfs on port $port not ready after ${timeout}s (stuck at $stage)"
    fi
    sleep 0.5
  done
}

stop_role() {
  stop_pid "$(inst_dir "$1")/$2.pid" "$3" "$2 of '$1'"
}

roles_arg() {
  case "${1:-}" in
    "") echo datanode namenode ;;
    namenode | datanode) echo "$1" ;;
    *) die "role must be namenode or datanode, got '$1'" ;;
  esac
}

cmd_stop() {
  local name="${1:-}" role
  check_name "$name"
  for role in $(roles_arg "${2:-}"); do stop_role "$name" "$role" TERM; done
}

cmd_kill9() {
  local name="${1:-}" role
  check_name "$name"
  for role in $(roles_arg "${2:-}"); do stop_role "$name" "$role" KILL; done
}

cmd_status() {
  local d name role line
  [[ -d "$BASE_DIR" ]] || {
    echo "no instances"
    return 0
  }
  for d in "$BASE_DIR"/*/; do
    [[ -f "$d/port" ]] || continue
    name="$(basename "$d")"
    line="$name port=$(cat "$d/port")"
    for role in "${ROLES[@]}"; do
      if role_running "$name" "$role"; then
        line+=" $role=pid:$(role_pid "$name" "$role")"
      else
        line+=" $role=stopped"
      fi
    done
    echo "$line"
  done
}

cmd_clean() {
  local name="${1:-}"
  check_name "$name"
  cmd_stop "$name"
  rm -rf "$(inst_dir "$name")"
  echo "hdfs '$name' removed"
}

sub="${1:-}"
shift || true
case "$sub" in
  fetch) cmd_fetch "$@" ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  stop) cmd_stop "$@" ;;
  kill9) cmd_kill9 "$@" ;;
  status) cmd_status "$@" ;;
  clean) cmd_clean "$@" ;;
  *)
    sed -n '2,21p' "$0" >&2
    exit 2
    ;;
esac
