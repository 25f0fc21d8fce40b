#!/usr/bin/env bash
# Installs the Debian 12 packages smematch builds against (docs/dependencies.md).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config \
  liblua5.4-dev nlohmann-json3-dev libsimdjson-dev libboost-program-options-dev \
  libcsv-dev libssl-dev liblemon-dev libcpp-httplib-dev libsqlite3-dev libzstd-dev libxxhash-dev \
  libgtest-dev libgmock-dev libbenchmark-dev

# The officer web page's end-to-end tests (tests/e2e): Debian's chromium driven by playwright-core
# under node, and Thai fonts so that screenshots show Thai. A machine that already has node and
# npm (for instance NodeSource's nodejs, which conflicts with Debian's npm) keeps them.
e2e_packages="chromium fonts-thai-tlwg"
command -v node >/dev/null 2>&1 || e2e_packages="$e2e_packages nodejs"
command -v npm >/dev/null 2>&1 || e2e_packages="$e2e_packages npm"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $e2e_packages
