#!/usr/bin/env bash
# Stops the single-node Slurm cluster that .ci/start-slurm.sh started: slurmd, slurmctld and
# munged, each by the process id in its pid file (nothing else is signalled), and waits
# until they have exited. Idempotent: a daemon that is not running is skipped. The packages,
# slurm.conf and the munge key stay; .ci/start-slurm.sh starts the cluster again.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# stop one daemon: SIGTERM to the pid in its pid file, then wait up to 10 s for it to exit
stop() {
  local name="$1" pidfile="$2" pid
  if [ ! -s "$pidfile" ]; then
    echo "slurm: $name: no pid file ($pidfile), not running"
    return
  fi
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null && ! $SUDO kill -0 "$pid" 2>/dev/null; then
    echo "slurm: $name: pid $pid is not running"
    $SUDO rm -f "$pidfile"
    return
  fi
  $SUDO kill -TERM "$pid"
  for _ in $(seq 1 50); do
    if ! $SUDO kill -0 "$pid" 2>/dev/null; then
      echo "slurm: $name (pid $pid) stopped"
      $SUDO rm -f "$pidfile"
      return
    fi
    sleep 0.2
  done
  echo "slurm: $name (pid $pid) did not exit within 10 s" >&2
  exit 1
}

# the paths .ci/start-slurm.sh wrote into slurm.conf, and munged's default
stop slurmd /run/slurmd.pid
stop slurmctld /run/slurmctld.pid
stop munged /run/munge/munged.pid
