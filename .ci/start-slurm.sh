#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the sweep job-array test
# (test/sweep/slurm.test.ts): installs Debian's slurmctld, slurmd and munge when missing,
# writes a minimal slurm.conf, creates the munge key, starts munged, slurmctld and slurmd
# directly (no systemd; run as root, as in CI) and waits until the node is idle.
# Idempotent: a cluster that already answers with an idle node is left as it is.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
NODE=localhost
CPUS="$(nproc)"

node_idle() {
  sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'
}

if command -v sinfo >/dev/null 2>&1 && [ -f "$CONF" ] && node_idle; then
  echo "slurm: node $NODE already up: $(sinfo -h -N -o '%N %t %c CPUs')"
  exit 0
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge
fi

# munge: a key owned by the munge user, and its socket directory
$SUDO mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
$SUDO chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
$SUDO chmod 0700 /etc/munge
$SUDO chmod 0400 /etc/munge/munge.key
$SUDO chmod 0755 /run/munge
if ! pgrep -x munged >/dev/null 2>&1; then
  $SUDO runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 1 50); do
  if munge -n </dev/null | unmunge >/dev/null 2>&1; then break; fi
  sleep 0.2
done
munge -n </dev/null | unmunge >/dev/null

# slurm.conf: one node (this machine, as "localhost"), one partition, no cgroups, no accounting
$SUDO mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
$SUDO tee "$CONF" >/dev/null <<EOF
# written by .ci/start-slurm.sh: a single-node test cluster
ClusterName=bitweave
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

if ! pgrep -x slurmctld >/dev/null 2>&1; then
  $SUDO /usr/sbin/slurmctld
fi
if ! pgrep -x slurmd >/dev/null 2>&1; then
  $SUDO /usr/sbin/slurmd -N "$NODE"
fi

for _ in $(seq 1 60); do
  if node_idle; then
    echo "slurm: up: $(sinfo -h -N -o '%N %t %c CPUs')"
    exit 0
  fi
  # a node left DOWN by an earlier run comes back here
  $SUDO scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
  sleep 1
done
echo "slurm: the node did not become idle:" >&2
sinfo -N -l >&2 || true
tail -n 30 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
