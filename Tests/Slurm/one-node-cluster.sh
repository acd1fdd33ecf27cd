#!/usr/bin/env bash
# A one-node Slurm cluster in a folder, for the sweep tests: munged, slurmctld and slurmd with their own key,
# configuration, state, sockets and ports, all under DIR, run as the current user (root: the daemons' users).
#
#   one-node-cluster.sh start DIR   starts the daemons, waits until the node is idle, prints SLURM_CONF=DIR/slurm.conf;
#                                   on failure prints why (the daemons' own log lines) on stderr and exits 1
#   one-node-cluster.sh stop DIR    stops them (by the process ids in DIR)
set -uo pipefail
cmd="${1:?start or stop}"
dir="${2:?DIR}"

stop() {
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
    done
    for _ in $(seq 50); do
        alive=0
        for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/pid"; do
            [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && return 0
        sleep 0.1
    done
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/pid"; do
        [ -f "$pid" ] && kill -9 "$(cat "$pid")" 2>/dev/null
    done
    return 0
}

fail() {
    echo "one-node Slurm cluster: $1" >&2
    for log in "$dir/munge/log" "$dir/slurmctld.log" "$dir/slurmd.log"; do
        [ -s "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 8 "$log" >&2; }
    done
    stop
    exit 1
}

if [ "$cmd" = stop ]; then stop; exit 0; fi

# The daemons must not keep a descriptor of whoever started this script (a test runner that waits for the end of
# its child by the close of such a descriptor would wait for the daemons): close everything above stderr.
for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
done

for tool in munged munge slurmctld slurmd sbatch squeue sinfo scancel; do
    command -v "$tool" >/dev/null 2>&1 || { echo "one-node Slurm cluster: '$tool' is not installed (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 600 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/sock" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/pid" \
    --log-file="$dir/munge/log" --seed-file="$dir/munge/seed" >/dev/null 2>>"$dir/munge/log" || fail "munged did not start"
munge -S "$dir/munge/sock" -n >/dev/null 2>&1 || fail "munged does not answer on its socket"

host="$(hostname -s 2>/dev/null || hostname)"
user="$(id -un)"
cpus="$(nproc)"
base=$(( 20000 + RANDOM % 20000 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=ptunetest
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldPort=$base
SlurmdPort=$(( base + 1 ))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=2
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" -i >>"$dir/slurmctld.log" 2>&1 || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" >>"$dir/slurmd.log" 2>&1 || fail "slurmd did not start"
for _ in $(seq 150); do
    state="$(sinfo -h -o %T 2>/dev/null | head -n 1)"
    case "$state" in idle*) echo "SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
    sleep 0.2
done
fail "the node did not become idle in 30 s (sinfo says: '${state:-nothing}')"
