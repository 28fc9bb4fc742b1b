#!/usr/bin/env bash
# Data-parallel training over real TCP: two network namespaces on this machine, each with one
# end of a veth pair (10.77.0.1 and 10.77.0.2, addresses that exist only inside them), one MPI
# rank in each. mpirun runs in the first and starts the second rank's daemon through a launcher
# that enters the second namespace (in place of ssh); Open MPI is told to use only TCP between
# ranks (`btl tcp,self`) on that subnet, so no shared memory is involved. The weights must equal
# those of one process accumulating the same two half-batches.
#
# Needs root, Open MPI, and `swift build -c release --traits MPI` done. Usage: bench/mpi_netns.sh
set -euo pipefail
cd "$(dirname "$0")/.."
nn=$PWD/.build/release/nn
work=$(mktemp -d)
cleanup() { ip netns del nnA 2>/dev/null || true; ip netns del nnB 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cleanup; work=$(mktemp -d)
ip netns add nnA
ip netns add nnB
ip link add nnvethA type veth peer name nnvethB
ip link set nnvethA netns nnA
ip link set nnvethB netns nnB
ip -n nnA addr add 10.77.0.1/24 dev nnvethA
ip -n nnB addr add 10.77.0.2/24 dev nnvethB
for ns in nnA nnB; do ip -n $ns link set lo up; done
ip -n nnA link set nnvethA up
ip -n nnB link set nnvethB up
# The link is up when the second address answers TCP on a port (no ping needed).

# The launcher Open MPI calls instead of ssh: "launcher HOST COMMAND..." runs COMMAND in the
# namespace that owns HOST's address.
cat > "$work/launcher" <<'SH'
#!/usr/bin/env bash
host=$1; shift
case $host in 10.77.0.2) ns=nnB ;; *) ns=nnA ;; esac
exec ip netns exec $ns bash -c "$*"
SH
chmod +x "$work/launcher"
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' > "$work/hosts"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(train --model mlp --epochs 1 --batch-size 64 --seed 1 --train-samples 3000)
ip netns exec nnA env NEURALNET_THREADS=1 mpirun -np 2 --hostfile "$work/hosts" \
    --mca plm_rsh_agent "$work/launcher" --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 \
    --mca oob_tcp_if_include 10.77.0.0/24 -x NEURALNET_THREADS -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
    "$nn" "${args[@]}" --save "$work/tcp.safetensors" | grep -E "Training on|All-reduce|Test"
"$nn" "${args[@]}" --accumulate 2 --save "$work/one.safetensors" > /dev/null
cmp "$work/tcp.safetensors" "$work/one.safetensors" && echo "two ranks over TCP between namespaces: identical weights"
