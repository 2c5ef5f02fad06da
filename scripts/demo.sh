#!/usr/bin/env bash
# One command on a fresh Debian 12 machine (as root): installs what is needed, starts a
# single-node farm on the embedded SQLite default with a local loopback build server (a real
# sshd on 127.0.0.2 for the unprivileged user kfbuild), submits a real kernel build
# (tinyconfig x86_64 from linux-source-6.1 in a local git repository), follows its log live
# and prints where the artifacts are. The farm keeps running afterwards (see the last lines).
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$(pwd)

state=${KFARM_DEMO_DIR:-/var/lib/kernelfarm-demo}
url=${KFARM_URL:-http://127.0.0.1:8080}
server_ip=127.0.0.2; server_port=2222
export Farm__DataDirectory=${Farm__DataDirectory:-/var/lib/kernelfarm}
export Farm__ArtifactStoragePath=${Farm__ArtifactStoragePath:-/var/lib/artifacts}

started=$SECONDS
part() { echo "== $* (at $((SECONDS - started)) s)"; }

part "installing what the demo needs (the farm, a local build server, the kernel source)"
scripts/install-deps.sh --demo

part "building KernelFarm"
dotnet build -c Release -v q --nologo src/Farm.Host/Farm.Host.csproj >/dev/null

part "starting the local build server (sshd on $server_ip:$server_port, user kfbuild)"
mkdir -p "$state/sshd" /run/sshd
[ -f "$state/sshd/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$state/sshd/host_ed25519"
[ -f "$state/sshd/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$state/sshd/client_ed25519"
cp "$state/sshd/client_ed25519.pub" "$state/sshd/authorized_keys"
# the agent account, its workspace root and the build sandbox, as on any build server (docs/security.md)
scripts/setup-build-server.sh --user kfbuild --no-install --workspace-root /home/kfbuild/builds
cat > "$state/sshd/sshd_config" <<CFG
ListenAddress $server_ip:$server_port
HostKey $state/sshd/host_ed25519
AuthorizedKeysFile $state/sshd/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes no
UsePAM no
AllowUsers kfbuild
PidFile $state/sshd/sshd.pid
Subsystem sftp internal-sftp
MaxSessions 50
CFG
if ! { [ -f "$state/sshd/sshd.pid" ] && kill -0 "$(cat "$state/sshd/sshd.pid")" 2>/dev/null; }; then
  /usr/sbin/sshd -f "$state/sshd/sshd_config" -E "$state/sshd/sshd.log"
fi
fingerprint=$(ssh-keygen -lf "$state/sshd/host_ed25519.pub" -E sha256 | awk '{print $2}')

part "serving the kernel repository with git daemon (git://127.0.0.1:9418/linux-6.1.git)"
if ! pgrep -f "git-daemon.*--base-path=/var/cache/kernelfarm" >/dev/null; then
  git daemon --reuseaddr --export-all --base-path=/var/cache/kernelfarm --listen=127.0.0.1 --port=9418 \
    --detach --pid-file="$state/git-daemon.pid" /var/cache/kernelfarm
fi

# An operator API token, made once and kept in the data directory; the farm is given only its sha256.
mkdir -p "$Farm__DataDirectory"
token_file=$Farm__DataDirectory/api-token
[ -s "$token_file" ] || (umask 077; openssl rand -hex 32 > "$token_file")
token=$(cat "$token_file")
export Farm__Auth__Tokens__0__Name=demo Farm__Auth__Tokens__0__Role=operator
export Farm__Auth__Tokens__0__Sha256=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
auth=(-H "Authorization: Bearer $token")

part "starting the farm on $url (data: $Farm__DataDirectory, artifacts: $Farm__ArtifactStoragePath)"
if ! curl -fsS "$url/healthz/ready" >/dev/null 2>&1; then
  nohup dotnet "$repo_root/src/Farm.Host/bin/Release/net10.0/Farm.Host.dll" --urls "$url" \
    >"$state/farm.log" 2>&1 </dev/null &
  echo $! > "$state/farm.pid"
  for _ in $(seq 120); do curl -fsS "$url/healthz/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$url/healthz/ready" >/dev/null || { echo "farm did not start; see $state/farm.log" >&2; exit 1; }
fi

part "registering the build server"
code=$(curl -sS "${auth[@]}" -o "$state/register.json" -w '%{http_code}' -X POST "$url/api/v1/infrastructure/build-servers" \
  -H 'Content-Type: application/json' -d @- <<JSON
{
  "id": "local", "hostname": "localhost", "ip_address": "$server_ip", "ssh_port": $server_port,
  "ssh_username": "kfbuild", "ssh_key_path": "$state/sshd/client_ed25519",
  "ssh_host_key_fingerprint": "$fingerprint",
  "supported_architectures": ["x86_64", "i386"],
  "toolchains": [{"name": "gcc-12", "target_architectures": ["x86_64", "i386"], "cross_compile": ""}],
  "total_cpu_cores": $(nproc), "total_memory_mb": $(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 )),
  "total_storage_gb": 50, "max_concurrent_jobs": 1, "workspace_root": "/home/kfbuild/builds"
}
JSON
)
case "$code" in 201) echo "registered";; 409) echo "already registered";; *) cat "$state/register.json"; exit 1;; esac

part "submitting a tinyconfig x86_64 build of linux-source-6.1"
job=$(curl -fsS "${auth[@]}" -X POST "$url/api/v1/infrastructure/build-jobs" -H 'Content-Type: application/json' -d @- <<JSON
{
  "source_repository": "git://127.0.0.1:9418/linux-6.1.git",
  "branch": "master",
  "commit_hash": "HEAD",
  "target_architecture": "x86_64",
  "build_config": {
    "kernel_config": "tinyconfig",
    "artifact_patterns": ["arch/x86/boot/bzImage", "vmlinux", "System.map"]
  }
}
JSON
)
id=$(jq -r .id <<<"$job")
echo "job $id accepted; following its log"

offset=0
while :; do
  chunk=$(curl -fsS "${auth[@]}" "$url/api/v1/infrastructure/build-jobs/$id/log?offset=$offset" | base64 -w0)
  if [ -n "$chunk" ]; then
    printf '%s' "$chunk" | base64 -d
    offset=$((offset + $(printf '%s' "$chunk" | base64 -d | wc -c)))
  fi
  status=$(curl -fsS "${auth[@]}" "$url/api/v1/infrastructure/build-jobs/$id" | jq -r .status)
  case "$status" in completed|failed|cancelled) break;; esac
  sleep 1
done
curl -fsS "${auth[@]}" "$url/api/v1/infrastructure/build-jobs/$id/log?offset=$offset"

record=$(curl -fsS "${auth[@]}" "$url/api/v1/infrastructure/build-jobs/$id")
echo
part "job $id: $status"
if [ "$status" = completed ]; then
  dir=$(jq -r .artifact_directory <<<"$record")
  echo "artifacts in $dir:"
  jq -r '.artifacts[] | "  \(.path)\t\(.size) bytes\tsha256 \(.sha256)"' <<<"$record"
else
  jq .failure <<<"$record"
fi
echo
echo "The farm is still running on $url (log: $state/farm.log). Its API wants the operator token:"
echo "  curl -H \"Authorization: Bearer \$(cat $token_file)\" $url/api/v1/infrastructure/build-jobs"
echo "The dashboard: open $url/ in a browser and sign in with the same token ($token_file)."
echo "Stop it with:"
echo "  kill \$(cat $state/farm.pid); kill \$(cat $state/sshd/sshd.pid) \$(cat $state/git-daemon.pid)"
[ "$status" = completed ]
