#!/usr/bin/env bash
# Runs "$@" as a job of its own (a process group) and, once it has ended, writes to fd 3 the CPU
# time of it and of every descendant reaped below it (the second line of bash `times`).
# SIGTERM to this script SIGKILLs the whole job: the benchmark stops a peer that runs until
# stopped (a daemon, a tailer) only after its records were counted at the destination, so its
# CPU is measured up to that moment and not through a shutdown.
set -m
"$@" &
job=$!
trap 'kill -KILL -- -"$job" 2>/dev/null' TERM INT
rc=0
while :; do
  wait "$job"; rc=$?
  kill -0 "$job" 2>/dev/null || break
done
wait
times >&3
exit "$rc"
