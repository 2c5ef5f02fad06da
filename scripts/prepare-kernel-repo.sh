#!/usr/bin/env bash
# Turns Debian's linux-source-6.1 tarball into a bare git repository that the
# farm can clone (one commit, packed). Idempotent: an existing repository is kept.
#   usage: prepare-kernel-repo.sh [DEST]   (default /var/cache/kernelfarm/linux-6.1.git)
set -euo pipefail
dest=${1:-/var/cache/kernelfarm/linux-6.1.git}
tarball=/usr/src/linux-source-6.1.tar.xz
if git --git-dir="$dest" rev-parse --verify -q refs/heads/master >/dev/null 2>&1; then
  echo "kernel repository ready: $dest"; exit 0
fi
[ -f "$tarball" ] || { echo "missing $tarball: apt-get install linux-source-6.1" >&2; exit 1; }
work=$(mktemp -d "${dest%/*}/.prepare.XXXXXX" 2>/dev/null || { mkdir -p "${dest%/*}"; mktemp -d "${dest%/*}/.prepare.XXXXXX"; })
trap 'rm -rf "$work"' EXIT
echo "unpacking $tarball ..."
tar -C "$work" -xJf "$tarball"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
# Debian's top-level .gitignore ignores everything ('/*' then exceptions): drop that block.
if [ -f "$src/.gitignore" ]; then
  sed -i '/^\/\*$/d; /^!/d' "$src/.gitignore"
fi
cd "$src"
git init -q -b master
# No automatic gc in this throw-away repository: the big commit would start a detached gc that
# is still writing into .git when the EXIT trap removes the folder ("Directory not empty").
git config gc.auto 0
git config gc.autoDetach false
git -c user.name=kernelfarm -c user.email=kernelfarm@localhost add -Af .
GIT_AUTHOR_DATE='2023-01-01T00:00:00Z' GIT_COMMITTER_DATE='2023-01-01T00:00:00Z' \
  git -c user.name=kernelfarm -c user.email=kernelfarm@localhost commit -q -m "linux-source-6.1 (Debian)"
echo "packing ..."
git clone -q --bare . "$work/repo.git"
git --git-dir="$work/repo.git" config gc.autoDetach false
git --git-dir="$work/repo.git" gc -q --prune=now
rm -rf "$dest"
mv "$work/repo.git" "$dest"
echo "kernel repository ready: $dest"
