#!/usr/bin/env bash
# Bring up a single-node Slurm cluster on localhost (Debian 12 packages, no systemd, as root).
# Needs: munge slurmctld slurmd slurm-client [slurmdbd mariadb-server] (see ci/test-slurm.sh).
#
#   ACCOUNTING=slurmdbd (default)  slurmdbd + local MariaDB -> real `sacct` (what the plugin polls)
#   ACCOUNTING=none                no database; `sacct` fails -> use `slurm-status-command: squeue`
#   FAKE_GPUS=1 (default)          advertise this many "gpu" GRES (0: none) so GPU jobs schedule;
#                                  the first is backed by /dev/null, more by other null-like
#                                  character devices (no GPU is used; CUDA stays absent)
#   NODE_CPUS, NODE_MEM_MB         CPUs / memory (MiB) the node advertises; default: the real ones.
#                                  Larger values (a GPU node's size) are taken as configured
#                                  (SlurmdParameters=config_overrides); nothing enforces them here.
# Leaves daemons running with PID files under /run; stop them with ci/slurm-down.sh.
set -euo pipefail

ACCOUNTING=${ACCOUNTING:-slurmdbd}
FAKE_GPUS=${FAKE_GPUS:-1}
CLUSTER=ci
ACCOUNT=ci
HOST=$(hostname -s)
REAL_MEM=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
NODE_CPUS=${NODE_CPUS:-$(nproc)}
NODE_MEM_MB=${NODE_MEM_MB:-$((REAL_MEM - 1024))}

log() { echo "[slurm-up] $*"; }

mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
# A new cluster every time. An earlier run killed without ci/slurm-down.sh (a session that ended
# mid-test) leaves its jobs in the controller's saved state, and slurmctld restores them as
# RUNNING: they hold the node's CPUs and GPUs until slurmd's registration clears them, which took
# longer than the 60 s probe below in CI. So the saved state and slurmd's spool go first, and the
# accounting database further down (stale RUNNING rows would show in `sacct --starttime`).
rm -rf /var/lib/slurm/slurmctld/* /var/lib/slurm/slurmd/*
chown -R slurm:slurm /var/lib/slurm /var/log/slurm

GRES_NODE=""
GPU_FILES=(/dev/null /dev/zero /dev/full /dev/urandom)
if [ "$FAKE_GPUS" -gt ${#GPU_FILES[@]} ]; then
  echo "[slurm-up] FAKE_GPUS=$FAKE_GPUS: at most ${#GPU_FILES[@]}" >&2
  exit 1
elif [ "$FAKE_GPUS" -gt 0 ]; then
  GRES_NODE="Gres=gpu:${FAKE_GPUS}"
  echo "AutoDetect=off" >/etc/slurm/gres.conf
  for f in "${GPU_FILES[@]:0:$FAKE_GPUS}"; do
    echo "NodeName=${HOST} Name=gpu File=$f" >>/etc/slurm/gres.conf
  done
else
  rm -f /etc/slurm/gres.conf
fi

if [ "$ACCOUNTING" = slurmdbd ]; then
  ACCT_CONF="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageTRES=gres/gpu
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux"
else
  ACCT_CONF="AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none"
fi

cat >/etc/slurm/slurm.conf <<EOC
ClusterName=${CLUSTER}
SlurmctldHost=${HOST}(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/lib/slurm/slurmd
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdParameters=config_overrides
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
${ACCT_CONF}
JobCompType=jobcomp/none
MailProg=/bin/true
# keep finished jobs visible to squeue for 10 min (the plugin's squeue mode needs >= 120 s)
MinJobAge=600
SlurmctldDebug=info
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdDebug=info
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=${NODE_CPUS} RealMemory=${NODE_MEM_MB} ${GRES_NODE} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOC
log "node ${HOST}: CPUs=${NODE_CPUS} RealMemory=${NODE_MEM_MB} ${GRES_NODE} accounting=${ACCOUNTING}"

# 1) munge (the key /etc/munge/munge.key is created by the munge package's postinst)
install -d -o munge -g munge -m 0755 /run/munge
runuser -u munge -- /usr/sbin/munged
munge -n | unmunge >/dev/null

# 2) accounting: MariaDB + slurmdbd, with cluster, account and user registered
if [ "$ACCOUNTING" = slurmdbd ]; then
  /etc/init.d/mariadb start >/dev/null
  mariadb -e "DROP DATABASE IF EXISTS slurm_acct_db; CREATE DATABASE slurm_acct_db;
              CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmdbpass';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  cat >/etc/slurm/slurmdbd.conf <<EOD
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurmdbpass
StorageLoc=slurm_acct_db
EOD
  chown slurm:slurm /etc/slurm/slurmdbd.conf
  chmod 600 /etc/slurm/slurmdbd.conf
  /usr/sbin/slurmdbd
  for _ in $(seq 1 60); do
    sacctmgr -n list cluster >/dev/null 2>&1 && break
    sleep 0.5
  done
  sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
  sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description=ci Organization=ci \
    >/dev/null 2>&1 || true
  sacctmgr -i add user "$(id -un)" Account="$ACCOUNT" Cluster="$CLUSTER" >/dev/null 2>&1 || true
fi

# 3) controller + node daemon (both daemonize; PID files in /run)
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 1 60); do
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.5
done
# blocks until the node really accepts work
if ! timeout 60 srun -t 1 hostname >/dev/null; then
  log "the node accepted no job within 60 s:"
  sinfo -o "%P %a %D %t %c %m %G" || true
  sinfo -R || true
  squeue || true
  tail -20 /var/log/slurm/slurmctld.log || true
  exit 1
fi
sinfo -o "%P %a %D %t %c %m %G"
log "up"
