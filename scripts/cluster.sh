#!/usr/bin/env bash
# A local three-node KernelFarm cluster on loopback, on PostgreSQL, sharing one artifact folder.
#   scripts/cluster.sh start     build, start PostgreSQL and nodes 1-3 (HTTP 8081-8083, Akka 4051-4053);
#                                the first start makes the cluster certificate ($state/cluster-cert, docs/cluster-tls.md)
#   scripts/cluster.sh stop      stop the nodes gracefully (SIGTERM: leave the cluster, hand over)
#   scripts/cluster.sh status    /healthz/ready of every node
set -euo pipefail
cd "$(dirname "$0")/.."
state=${KFARM_CLUSTER_DIR:-/var/lib/kernelfarm-cluster}
nodes=(1 2 3)
seeds=()
for n in "${nodes[@]}"; do seeds+=("akka.ssl.tcp://kernelfarm@127.0.0.1:$((4050 + n))"); done
token_file=$state/api-token   # an operator API token, made once; the nodes are given only its sha256
cert_dir=$state/cluster-cert  # the cluster CA and the node bundle every node holds, made once

start_node() {
  local n=$1
  mkdir -p "$state/node$n"
  if [ -f "$state/node$n/pid" ] && kill -0 "$(cat "$state/node$n/pid")" 2>/dev/null; then echo "node$n already running"; return; fi
  local env=(
    Farm__Persistence=postgres
    "Farm__PostgresConnectionString=Host=127.0.0.1;Database=kernelfarm;Username=kernelfarm;Password=kernelfarm"
    Farm__ArtifactStoragePath="$state/artifacts"
    Farm__DataDirectory="$state/node$n"
    Farm__ClusterHostname=127.0.0.1
    Farm__ClusterPort=$((4050 + n))
    Farm__Auth__Tokens__0__Name=cluster-operator
    Farm__Auth__Tokens__0__Role=operator
    "Farm__Auth__Tokens__0__Sha256=$(tr -d '\n' < "$token_file" | sha256sum | cut -d' ' -f1)"
    Farm__ClusterTls__CertificatePath="$cert_dir/node.p12"
    Farm__ClusterTls__PasswordFile="$cert_dir/node.p12.password"
  )
  for i in "${!seeds[@]}"; do env+=("Farm__SeedNodes__$i=${seeds[$i]}"); done
  env "${env[@]}" nohup dotnet src/Farm.Host/bin/Release/net10.0/Farm.Host.dll --urls "http://127.0.0.1:$((8080 + n))" \
    >"$state/node$n/farm.log" 2>&1 </dev/null &
  echo $! > "$state/node$n/pid"
  echo "node$n: http://127.0.0.1:$((8080 + n)) (log $state/node$n/farm.log)"
}

wait_ready() {
  for _ in $(seq 120); do curl -fsS "http://127.0.0.1:$((8080 + $1))/healthz/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "node$1 not ready; see $state/node$1/farm.log" >&2; return 1
}

case "${1:-}" in
  start)
    scripts/postgres-setup.sh >/dev/null
    mkdir -p "$state"
    [ -s "$token_file" ] || (umask 077; openssl rand -hex 32 > "$token_file")
    [ -s "$cert_dir/node.p12" ] || scripts/make-cluster-cert.sh "$cert_dir" >/dev/null
    dotnet build -c Release -v q --nologo src/Farm.Host/Farm.Host.csproj >/dev/null
    # All at once: node1, the first seed node, forms the cluster only when nodes 2 and 3 answer
    # that they are not members yet (README, "Forming the cluster"); 2 and 3 only ever join it.
    for n in "${nodes[@]}"; do start_node "$n"; done
    for n in "${nodes[@]}"; do wait_ready "$n"; done
    echo "cluster up; the API wants the operator token:"
    echo "  curl -H \"Authorization: Bearer \$(cat $token_file)\" http://127.0.0.1:8081/api/v1/infrastructure/build-servers" ;;
  stop)
    for n in "${nodes[@]}"; do
      [ -f "$state/node$n/pid" ] || continue
      pid=$(cat "$state/node$n/pid"); kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      rm -f "$state/node$n/pid"; echo "node$n stopped"
    done ;;
  status)
    for n in "${nodes[@]}"; do printf 'node%s: ' "$n"; curl -sS "http://127.0.0.1:$((8080 + n))/healthz/ready" || echo down; echo; done ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
