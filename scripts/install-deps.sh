#!/usr/bin/env bash
# Installs what KernelFarm needs on Debian 12 (run as root), then makes the git repository of
# Debian's linux-source-6.1. Idempotent; says what it does and how long each part took.
#   install-deps.sh          everything the tests need (what .ci/run and scripts/test.sh use)
#   install-deps.sh --demo   only what scripts/demo.sh needs: the farm, a local build server
#                            and the kernel source (no PostgreSQL, podman, QEMU, clang, browser)
#   install-deps.sh --packages / --assets
#                            the two halves of the full install: the Debian packages and their
#                            settings, then what is made from them (the kernel's git repository and
#                            the builder image, minutes on a fresh machine: scripts/test.sh makes
#                            them while the solution builds)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
profile=full want_packages=true want_assets=true
case "${1:-}" in
  --demo) profile=demo;;
  --packages) want_assets=false;;
  --assets) want_packages=false;;
  "") ;;
  *) echo "usage: install-deps.sh [--demo | --packages | --assets]" >&2; exit 2;;
esac

step_started=$SECONDS
step() { echo "== $* ..."; step_started=$SECONDS; }
done_step() { echo "   done in $((SECONDS - step_started)) s"; }

packages=(
  openssh-server openssh-client git ca-certificates curl jq procps psmisc iproute2 openssl
  build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync xz-utils
  ccache util-linux bubblewrap  # build servers: ccache for warm rebuilds, flock for the git cache's lock, bwrap for the build sandbox
  linux-source-6.1
)
if [ "$profile" = full ]; then
  packages+=(
    postgresql                     # the multi-node tests' journal
    podman runc uidmap debootstrap # container builds and their builder image
    # boot tests (build_config.boot_test): QEMU, and the arm64 cross compiler with its C library for the static init
    qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
    # clang builds (toolchain clang-14: LLVM=-14 runs clang-14, ld.lld-14 and the llvm-*-14 tools)
    clang-14 lld-14 llvm-14
    # browser tests (tests/Farm.IntegrationTests/Browser): headless chromium driven by Playwright's bundled driver,
    # with fonts so screenshots have readable text (fonts-liberation is only a Recommends of chromium)
    chromium fonts-dejavu-core fonts-liberation
    # KCIDB output validated with kcidb-io's schema (tests/kcidb/validate.py, run by /usr/bin/python3); rfc3987 checks its "uri" formats
    python3-jsonschema python3-rfc3987
  )
fi
missing=()
if $want_packages; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${#missing[@]} Debian packages ($profile): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  done_step
fi
mkdir -p /run/sshd
command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

# podman on this kind of machine: runc as the runtime and explicit ulimits (see DESIGN.md)
if [ "$profile" = full ] && $want_packages && { [ ! -f /etc/containers/containers.conf ] || ! grep -q 'runtime = "runc"' /etc/containers/containers.conf; }; then
  mkdir -p /etc/containers
  cat >> /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
fi
$want_assets || exit 0

if [ ! -d /var/cache/kernelfarm/linux-6.1.git ]; then step "making the kernel's git repository from linux-source-6.1 (a few minutes, once)"; fi
"$here/prepare-kernel-repo.sh" /var/cache/kernelfarm/linux-6.1.git
[ "$profile" = demo ] && exit 0

# the container builds' image (docs/container-builds.md); the build user gets its own copy
step "the container builds' image"
if id -u kfbuild >/dev/null 2>&1; then "$here/make-builder-image.sh" --user kfbuild; else "$here/make-builder-image.sh"; fi
done_step
