#!/usr/bin/env bash
# Installs the peers of the peer benchmark (bench/peers.ts), from the package registries only:
#   rsyslog, rsyslog-kafka (omkafka) and kcat   Debian, apt-get (only the missing ones; needs root)
#   Apache Kafka broker + tools                  Maven Central, test/infra/kafka/kafka.sh fetch
#   Apache Flume 1.11                            Maven Central, flume/pom.xml -> .infra/peers/flume/lib
#   MirrorMaker 2 (connect-mirror)               Maven Central, mirror-maker/pom.xml -> .infra/peers/mirror-maker/lib
#   Debezium embedded + MariaDB connector        Maven Central, debezium/pom.xml -> .infra/peers/debezium/lib,
#                                                and debezium/DebeziumCount.java compiled into .infra/peers/debezium/classes
# Idempotent: a lib directory is fetched again only when its pom changed (stamp = sha256 of the pom).
# Usage: bench/peers/setup.sh [debezium]   (debezium: only what bench/cdc.ts needs;
#        MILLRACE_PEERS_INFRA_DIR overrides <repo>/.infra/peers)
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"
INFRA_DIR="${MILLRACE_PEERS_INFRA_DIR:-$REPO_ROOT/.infra/peers}"
KAFKA_POM="$REPO_ROOT/test/infra/kafka/pom.xml"

log() { printf 'peers/setup.sh: %s\n' "$*" >&2; }
die() { printf 'peers/setup.sh: error: %s\n' "$*" >&2; exit 1; }

install_debs() {
  local missing=() p
  for p in rsyslog rsyslog-kafka kcat; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install ${missing[*]}"
    sudo=(sudo)
  fi
  log "installing ${missing[*]} from Debian ..."
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# fetch_pom <name>: resolves <name>/pom.xml into $INFRA_DIR/<name>/lib unless its stamp matches.
fetch_pom() {
  local name="$1" pom="$SCRIPT_DIR/$1/pom.xml" lib="$INFRA_DIR/$1/lib" want
  want="$(sha256sum "$pom" | cut -d' ' -f1)"
  [[ -f "$lib/.stamp" && "$(cat "$lib/.stamp")" == "$want" ]] && return 0
  mkdir -p "$INFRA_DIR/.locks"
  exec 9>"$INFRA_DIR/.locks/$name.lock"
  flock -w 900 9 || die "timed out waiting for the $name fetch lock"
  if [[ -f "$lib/.stamp" && "$(cat "$lib/.stamp")" == "$want" ]]; then exec 9>&-; return 0; fi
  local tmp="$INFRA_DIR/$name/lib.tmp.$$" start=$SECONDS
  log "fetching $name jars from Maven Central into $lib ..."
  rm -rf -- "$tmp"; mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp" \
      >"$INFRA_DIR/$name/fetch.log" 2>&1 </dev/null; then
    tail -n 40 "$INFRA_DIR/$name/fetch.log" >&2 || true
    rm -rf -- "$tmp"
    die "mvn dependency:copy-dependencies failed for $name (log: $INFRA_DIR/$name/fetch.log)"
  fi
  printf '%s\n' "$want" >"$tmp/.stamp"
  rm -rf -- "$lib"; mv -- "$tmp" "$lib"
  exec 9>&-
  log "fetched $(find "$lib" -name '*.jar' | wc -l) $name jars in $((SECONDS - start))s"
}

command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH"
command -v java >/dev/null 2>&1 || die "java not found on PATH"

# The Debezium peer of bench/cdc.ts: its jars, then its one class compiled against them.
if [[ "${1:-}" == debezium ]]; then
  command -v javac >/dev/null 2>&1 || die "javac not found on PATH (a JDK 17 is needed)"
  fetch_pom debezium
  classes="$INFRA_DIR/debezium/classes"
  want="$(cat "$SCRIPT_DIR/debezium/DebeziumCount.java" "$INFRA_DIR/debezium/lib/.stamp" | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$classes/.stamp" || "$(cat "$classes/.stamp")" != "$want" ]]; then
    rm -rf -- "$classes"; mkdir -p "$classes"
    javac -nowarn -d "$classes" -cp "$INFRA_DIR/debezium/lib/*" "$SCRIPT_DIR/debezium/DebeziumCount.java"
    printf '%s\n' "$want" >"$classes/.stamp"
  fi
  exit 0
fi

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$1" | head -n1; }
[[ "$(kafka_version "$KAFKA_POM")" == "$(kafka_version "$SCRIPT_DIR/mirror-maker/pom.xml")" ]] \
  || die "kafka.version differs between $KAFKA_POM and mirror-maker/pom.xml; keep them equal"

install_debs
"$REPO_ROOT/test/infra/kafka/kafka.sh" fetch
fetch_pom flume
fetch_pom mirror-maker
