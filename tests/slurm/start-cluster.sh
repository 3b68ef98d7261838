#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (loopback, no systemd), for the sweep test in
# tests/slurm/sweep.test.ts. Recipe checked on Debian 12 (slurm-wlm 22.05, munge 0.5.15): see
# /work/shared/STACK.md. Idempotent: a cluster already answering `sinfo` is left alone.
# Needs root (or sudo) to install packages and start the daemons. Exits non-zero, saying which
# step failed, when the cluster cannot start; .ci/run calls it so that this never fails CI.
set -uo pipefail

step() { echo "slurm: $*"; }
fail() { echo "slurm: FAILED: $*" >&2; exit 1; }

if command -v sinfo >/dev/null 2>&1 && sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|alloc'; then
  step "a cluster is already up: $(sinfo -h -o '%N %T' | head -1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: cannot install or start slurmctld/slurmd"
  SUDO="sudo"
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "slurm-wlm/munge are not installed and there is no apt-get"
  step "installing slurm-wlm and munge (apt-get)"
  $SUDO apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (no network or no package mirror?)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null 2>&1 || fail "apt-get install slurm-wlm munge failed"
fi

# munge: a key, owned directories, the daemon run as the munge user (runuser: there may be no sudo).
if ! pgrep -x munged >/dev/null 2>&1; then
  step "starting munged"
  $SUDO mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none || fail "cannot write /etc/munge/munge.key"
  fi
  $SUDO chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge || fail "chown of the munge directories failed (no munge user?)"
  $SUDO chmod 400 /etc/munge/munge.key
  $SUDO runuser -u munge -- /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
fi

HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(free -m | awk '/^Mem:/ {print $2}') * 8 / 10 ))
step "writing /etc/slurm/slurm.conf (node $HOST, $CPUS CPUs, ${MEM} MB)"
$SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
$SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
ClusterName=atpsim
SlurmctldHost=$HOST
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmctld >/dev/null 2>&1 || { step "starting slurmctld"; $SUDO /usr/sbin/slurmctld || fail "slurmctld did not start (see /var/log/slurm/slurmctld.log)"; }
pgrep -x slurmd >/dev/null 2>&1 || { step "starting slurmd"; $SUDO /usr/sbin/slurmd || fail "slurmd did not start (see /var/log/slurm/slurmd.log)"; }

for _ in $(seq 1 30); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|alloc'; then
    step "up: $(sinfo -h -o '%P %N %T' | head -1)"
    exit 0
  fi
  sleep 1
done
fail "the node never became idle: $(sinfo -h -o '%N %T %E' 2>&1 | head -1) (see /var/log/slurm/)"
