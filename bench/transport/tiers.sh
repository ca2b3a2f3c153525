#!/usr/bin/env bash
# Starts a two-tier collection as one process tree (measured as one by bench/peers/measure.ts):
#   tiers.sh <collector port> <collector script> <agent script>...
# the collector first; once its port accepts connections, every agent. Runs until killed.
set -uo pipefail
port="$1" collector="$2"
shift 2
bash "$collector" &
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
for agent in "$@"; do bash "$agent" & done
wait
