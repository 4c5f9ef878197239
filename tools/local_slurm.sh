#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for `make test-slurm` (needs root; Debian/Ubuntu).
#
# Installs Debian's slurm (slurmctld, slurmd, munge) if missing, writes a short slurm.conf for
# this node (its CPUs and memory as `slurmd -C` reports them), and starts munged, slurmctld
# and slurmd unless they already answer. No accounting database: snakemake's SLURM executor
# asks `squeue` for job states (--slurm-status-command squeue), and MinJobAge keeps finished
# jobs visible to it for an hour. Safe to run again; prints the node's state at the end.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "local_slurm.sh: needs root (it installs packages and starts daemons)" >&2
    exit 1
fi

if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "local_slurm.sh: the cluster is up: $(sinfo -h -o '%N %c CPUs %m MB %T')"
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    echo "local_slurm.sh: installing slurmctld, slurmd, munge"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurmctld slurmd slurm-client munge
fi

# munge: the key the packages made (or a new one), then the daemon.
if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
fi

host=$(hostname -s)
# "NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105"; leave the OS a tenth of the memory.
node=$(slurmd -C | head -n 1)
memory=$(sed -E 's/.*RealMemory=([0-9]+).*/\1/' <<<"$node")
node=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$((memory * 9 / 10))/" <<<"$node")

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >/etc/slurm/slurm.conf <<EOF
# Written by covae's tools/local_slurm.sh: a one-node cluster for testing the workflow.
ClusterName=covae
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# Keep finished jobs in squeue's view for an hour: the executor reads their state there.
MinJobAge=3600
ReturnToService=2
$node State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

pkill -x slurmctld 2>/dev/null || true
pkill -x slurmd 2>/dev/null || true
sleep 1
/usr/sbin/slurmctld -c   # -c: a clean start, no jobs kept from an earlier cluster
/usr/sbin/slurmd

for _ in $(seq 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
        echo "local_slurm.sh: the cluster is up: $(sinfo -h -o '%N %c CPUs %m MB %T')"
        exit 0
    fi
    sleep 1
done
echo "local_slurm.sh: the node did not come up; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
sinfo >&2 || true
exit 1
