#!/usr/bin/env bash
# Records tests/fixtures/upgrade/<release>/: the SQLite journal files, artifact storage, the test
# servers' keys and expected.json, written by the farm host of an earlier release (docs/upgrading.md).
#   scripts/make-upgrade-fixture.sh 8457cc2
# Builds <release>'s Farm.Host (Release) in a git worktree at /work/rel-<release> (or $KFARM_RELEASE_TREE),
# then runs UpgradeFixtureWriter (this tree's test rig) against that host. Needs what the
# integration tests need (sshd, git, the kfbuild user: scripts/install-deps.sh).
set -euo pipefail
release=${1:?usage: $0 <release commit>}
cd "$(dirname "$0")/.."
repo=$PWD
tree=${KFARM_RELEASE_TREE:-/work/rel-$release}
if [ ! -d "$tree" ]; then git worktree add --detach "$tree" "$release"; fi
[ "$(git -C "$tree" rev-parse HEAD)" = "$(git rev-parse "$release^{commit}")" ] || { echo "$tree is not at $release" >&2; exit 1; }
dotnet build "$tree/src/Farm.Host/Farm.Host.csproj" -c Release
dotnet build tests/Farm.IntegrationTests/Farm.IntegrationTests.csproj
KFARM_UPGRADE_HOST_DLL="$tree/src/Farm.Host/bin/Release/net10.0/Farm.Host.dll" \
KFARM_UPGRADE_RELEASE="$release" \
KFARM_UPGRADE_OUT="$repo/tests/fixtures/upgrade/$release" \
  dotnet test tests/Farm.IntegrationTests/Farm.IntegrationTests.csproj --no-build \
    --filter "FullyQualifiedName~UpgradeFixtureWriter" --logger "console;verbosity=normal"
test -f "tests/fixtures/upgrade/$release/expected.json"
echo "wrote tests/fixtures/upgrade/$release ($(du -sh "tests/fixtures/upgrade/$release" | cut -f1))"
