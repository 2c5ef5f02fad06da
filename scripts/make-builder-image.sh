#!/usr/bin/env bash
# Makes the container image that container builds run in: localhost/kernelfarm-builder:bookworm,
# a minimal Debian 12 with the kernel build dependencies. No registry is reachable from the build
# machines, so the root file system comes from debootstrap (apt's Debian mirror) and is imported
# with `podman import`. Idempotent: an image made from the same package list is kept; one made
# from another list (an older version of this script) is replaced.
#
#   usage: make-builder-image.sh [--user NAME]...
#
# Rootless podman keeps one image store per user, so an image imported by root is invisible to a
# build server's login user: each --user NAME also gets the image in NAME's own (rootless) store.
# The root file system is kept as a tarball in $KFARM_IMAGE_CACHE (default /var/cache/kernelfarm)
# so that importing for another user later does not run debootstrap again.
set -euo pipefail
image=${KFARM_BUILDER_IMAGE:-localhost/kernelfarm-builder:bookworm}
cache=${KFARM_IMAGE_CACHE:-/var/cache/kernelfarm}
mirror=${KFARM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# kernel build dependencies, and QEMU for x86_64 boot tests (build_config.boot_test) inside the container
packages=gcc,make,bc,bison,flex,libelf-dev,libssl-dev,git,ca-certificates,cpio,kmod,xz-utils,rsync,libc6-dev,mawk,perl,pkg-config,gzip,qemu-system-x86
# the image carries this label: a changed package list makes a new image
recipe=$(printf '%s' "$packages" | sha256sum | cut -c1-12)
tarball="$cache/kernelfarm-builder-bookworm-$recipe.tar"
users=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) users+=("$2"); shift 2 ;;
    *) echo "usage: $0 [--user NAME]..." >&2; exit 2 ;;
  esac
done

# the image's settings: a PATH (an imported tarball has no environment) and bash by default
changes=(--change 'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
         --change 'ENV=LC_ALL=C' --change 'CMD=["/bin/bash"]' --change "LABEL=kernelfarm.recipe=$recipe")

# true when the store (podman run as the given command) has the image made from this recipe
current() { [ "$("$@" image inspect --format '{{index .Labels "kernelfarm.recipe"}}' "$image" 2>/dev/null)" = "$recipe" ]; }

make_tarball() {
  [ -s "$tarball" ] && return 0
  command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
  mkdir -p "$cache"
  local work
  work=$(mktemp -d "$cache/.builder-rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap bookworm (minbase + kernel build dependencies) from $mirror ..."
  local start=$SECONDS
  debootstrap --variant=minbase --include="$packages" bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # apt's caches and lists are not needed in a build image
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  rm -f "$cache"/kernelfarm-builder-bookworm*.tar  # made from an older package list
  mv "$work/rootfs.tar" "$tarball"
  rm -rf "$work"
  trap - EXIT
  echo "root file system ready in $((SECONDS - start)) s: $tarball ($(du -h "$tarball" | cut -f1))"
}

# as root (the rootful store)
if current podman; then
  echo "image ready: $image"
else
  make_tarball
  podman import -q "${changes[@]}" "$tarball" "$image" >/dev/null
  echo "imported $image"
fi

# into each build user's rootless store
for user in "${users[@]}"; do
  id -u "$user" >/dev/null
  home=$(getent passwd "$user" | cut -d: -f6)
  uid=$(id -u "$user")
  as_user=(runuser -u "$user" -- env -u XDG_RUNTIME_DIR -C "$home" HOME="$home")
  # rootless podman maps the container's other users to the user's subordinate ids (newuidmap)
  for kind in uid gid; do
    grep -q "^$user:" "/etc/sub$kind" 2>/dev/null && continue
    first=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'BEGIN { m = 100000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }')
    usermod "--add-sub${kind}s" "$first-$((first + 65535))" "$user"
    "${as_user[@]}" podman system migrate >/dev/null 2>&1 || true
  done
  # Without a storage.conf podman 4.3 gives a rootless user the vfs driver, which copies the
  # whole image for every container (~10 s a start here); native overlay starts in ~0.3 s.
  conf="$home/.config/containers/storage.conf"
  if [ ! -e "$conf" ]; then
    runuser -u "$user" -- mkdir -p "${conf%/*}"
    printf '[storage]\ndriver = "overlay"\n' | runuser -u "$user" -- tee "$conf" >/dev/null
  fi
  driver=$("${as_user[@]}" podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || true)
  [ "$driver" = overlay ] || echo "warning: $user's podman store uses '$driver', not overlay: every container start copies the image" \
    "(run 'podman system reset' as $user to switch to $conf)" >&2
  if current "${as_user[@]}" podman; then
    echo "image ready for $user: $image"
    continue
  fi
  make_tarball
  # the user reads the tarball through stdin: it need not be able to open the cache
  "${as_user[@]}" podman import -q "${changes[@]}" - "$image" <"$tarball" >/dev/null
  echo "imported $image for $user (uid $uid)"
done
