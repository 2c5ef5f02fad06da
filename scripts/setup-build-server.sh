#!/usr/bin/env bash
# Makes a Debian 12 machine a KernelFarm build server (run as root on the server; idempotent).
#
#   scripts/setup-build-server.sh [--user NAME] [--authorized-key FILE] [--workspace-root DIR] [--no-install]
#
# - installs what builds need (git, make, gcc, kbuild's tools, ccache, flock) and bubblewrap,
#   the sandbox every build runs in (README "Security model");
# - creates the farm's agent account (default kfbuild): key-only, no password; its
#   ~/.ssh/authorized_keys and shell start-up files belong to root, so nothing running as the
#   agent can add a key or a start-up command (builds cannot even see the home folder);
# - makes the workspace root (default /srv/kernelfarm/builds), readable by the agent only;
# - checks that bwrap can make a sandbox for the agent (user namespaces enabled) and prints
#   the host key fingerprint to register the server with (kfarm servers add).
set -euo pipefail
user=kfbuild
key=""
root=/srv/kernelfarm/builds
install=1
while [ $# -gt 0 ]; do
  case $1 in
    --user) user=$2; shift 2 ;;
    --authorized-key) key=$2; shift 2 ;;
    --workspace-root) root=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup-build-server.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $user in ''|*[!a-z0-9_-]*) echo "setup-build-server.sh: --user must be a plain account name" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "setup-build-server.sh: run as root" >&2; exit 1; }

if [ "$install" = 1 ]; then
  packages=(openssh-server git ca-certificates build-essential bc bison flex libelf-dev libssl-dev cpio kmod
            rsync xz-utils ccache util-linux procps bubblewrap)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi
command -v bwrap >/dev/null || { echo "setup-build-server.sh: bubblewrap is not installed (apt-get install bubblewrap)" >&2; exit 1; }

if ! id -u "$user" >/dev/null 2>&1; then
  useradd -m -s /bin/bash "$user" || id -u "$user" >/dev/null   # a concurrent run may have made it
fi
# key-only: sshd refuses even key logins to a locked ('!') account when PAM is off
case "$(getent shadow "$user" | cut -d: -f2)" in '!'*|'') usermod -p '*' "$user" ;; esac
home=$(getent passwd "$user" | cut -d: -f6)
group=$(id -gn "$user")

install -d -o root -g "$group" -m 0750 "$home/.ssh"
touch "$home/.ssh/authorized_keys"
if [ -n "$key" ]; then
  grep -qxF -- "$(cat "$key")" "$home/.ssh/authorized_keys" || cat "$key" >> "$home/.ssh/authorized_keys"
fi
chown root:"$group" "$home/.ssh/authorized_keys"; chmod 0640 "$home/.ssh/authorized_keys"
for f in .bashrc .profile .bash_logout .bash_profile .bash_login; do
  [ -e "$home/$f" ] || touch "$home/$f"
  chown root:"$group" "$home/$f"; chmod 0644 "$home/$f"
done

install -d -o "$user" -g "$group" -m 0700 "$root"

# user namespaces: Debian 12 allows them by default; some hardened kernels switch them off
if [ -f /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" != 1 ]; then
  echo "setup-build-server.sh: kernel.unprivileged_userns_clone is 0: builds cannot be sandboxed (sysctl -w kernel.unprivileged_userns_clone=1)" >&2
  exit 1
fi
if ! out=$(cd / && runuser -u "$user" -- bwrap --unshare-all --die-with-parent --new-session --ro-bind /usr /usr \
      --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev -- /bin/true 2>&1); then
  echo "setup-build-server.sh: bwrap cannot make a sandbox for $user: $out" >&2
  exit 1
fi

echo "build server ready: agent $user, workspace root $root, sandbox: $(bwrap --version)"
for k in /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub; do
  [ -f "$k" ] && { echo "host key: $(ssh-keygen -l -E sha256 -f "$k")"; break; }
done
exit 0
