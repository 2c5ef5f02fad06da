#!/usr/bin/env bash
# Benchmark prerequisites, once per machine, as root (Debian 12): bench/install-deps.sh
#
# What bench/run.sh needs beyond the repository's own test prerequisites (sshd, git, the
# kfbuild user the fixtures create, .NET): Buildbot 3.7 from Debian, the peer of the
# fixed-cost scenario (bench/Farm.Bench/FixedCost/: a master and a worker on loopback).
# Without it, `bench/run.sh fixed-cost` fails naming this script. openssh-client brings the
# ssh/scp baselines of the log-latency and transfer scenarios.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    echo "run as root (apt-get): sudo $0" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends buildbot buildbot-worker openssh-client openssh-server git make
buildbot --version
