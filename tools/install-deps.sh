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
  libcsv-dev libssl-dev liblemon-dev libcpp-httplib-dev libsqlite3-dev \
  libgtest-dev libgmock-dev libbenchmark-dev
