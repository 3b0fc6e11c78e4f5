#!/usr/bin/env bash
# A single-node Slurm on this machine, for `make test-slurm`: slurmctld + slurmd on localhost with
# munge, no cgroups and no accounting (Debian 12: slurm-wlm 22.05, munge 0.5).
#   scripts/slurm-local.sh install   apt-get the packages if missing (root or sudo)
#   scripts/slurm-local.sh start     write /etc/slurm/slurm.conf for this host, start the daemons, wait until idle
#   scripts/slurm-local.sh stop      stop them
#   scripts/slurm-local.sh status    exit 0 if a node is idle or busy
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else echo "slurm-local: needs root or sudo" >&2; exit 1; fi
fi

install_packages() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null; then return; fi
  echo "slurm-local: installing slurm-wlm and munge"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge
}

write_config() {
  local host node
  host=$(hostname -s)
  # slurmd -C prints this machine's exact node line (CPUs, sockets, memory).
  node=$(slurmd -C | head -1 | sed 's/ UpTime=.*//')
  $SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
  $SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
ClusterName=cellfreelab
SlurmctldHost=${host}
AuthType=auth/munge
CryptoType=crypto/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
# Small, so that SlurmTests sees an array split under it (real clusters: 1001 or more).
MaxArraySize=4
${node} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  install_packages
  if status >/dev/null 2>&1; then echo "slurm-local: already running"; return; fi
  write_config
  $SUDO chown munge:munge /run/munge 2>/dev/null || true
  if ! pgrep -x munged >/dev/null; then
    [ -f /etc/munge/munge.key ] || $SUDO /usr/sbin/mungekey --create 2>/dev/null || $SUDO create-munge-key -f
    $SUDO su -s /bin/sh munge -c '/usr/sbin/munged --pid-file=/run/munge/munged.pid' || $SUDO /usr/sbin/munged --force
  fi
  pgrep -x slurmctld >/dev/null || $SUDO /usr/sbin/slurmctld
  pgrep -x slurmd >/dev/null || $SUDO /usr/sbin/slurmd
  for _ in $(seq 1 100); do
    if status >/dev/null 2>&1; then echo "slurm-local: node $(hostname -s) ready"; return; fi
    sleep 0.2
  done
  echo "slurm-local: the node did not become idle; see /var/log/slurm/" >&2
  exit 1
}

stop() {
  for f in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    [ -f "$f" ] && $SUDO kill "$(cat "$f")" 2>/dev/null || true
  done
  echo "slurm-local: stopped"
}

status() {
  command -v sinfo >/dev/null && sinfo -h -o %T 2>/dev/null | grep -Eq 'idle|mixed|allocated'
}

case "${1:-}" in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  status) if status; then echo "slurm-local: running"; else echo "slurm-local: not running"; exit 1; fi ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
