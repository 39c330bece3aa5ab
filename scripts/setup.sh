#!/usr/bin/env bash
# Installs the Debian packages StemeDB needs to build, run and test. Idempotent: quick and
# silent when everything is present; runs apt-get update only when something is missing.
#
#   scripts/setup.sh               everything: build, tests (prometheus, nginx, etcd, haproxy,
#                                  libfiu, chromium and node...), scripts
#   scripts/setup.sh --postgres    everything, and PostgreSQL with pgbench (scripts/bench.sh postgres)
#   scripts/setup.sh --build-only  what `cmake --build` and the operations scripts need, nothing
#                                  more: for a production host, where installing the test tools
#                                  would also start Debian's nginx, prometheus, etcd and haproxy
#                                  services
set -euo pipefail

build_only=0
postgres=0
case "${1:-}" in
  "") ;;
  --build-only) build_only=1 ;;
  --postgres) postgres=1 ;;
  *) echo "setup: unknown argument '$1' (usage: setup.sh [--build-only | --postgres])" >&2; exit 2 ;;
esac

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache git
  # libraries (GoogleTest too: the build compiles the test binaries)
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  librocksdb-dev libsodium-dev libssl-dev libxxhash-dev libsystemd-dev
  libgtest-dev libgmock-dev
  # what the operations scripts (scripts/backup.sh and the others) use
  curl jq
  # cmake's configure step registers the Python-driven tests
  python3
)
if [ "$build_only" -eq 0 ]; then
  packages+=(
    # tools the tests drive for real
    prometheus nginx systemd shellcheck fiu-utils openssl python3-cryptography python3-yaml
    # the Python client's installation test (clients/python, docs/python.md): a venv that pip
    # installs the package into without a package index, building it with Debian's setuptools
    python3-venv python3-pip python3-setuptools python3-wheel
    # pgrep and ps (scripts/test.sh stops its background builds with them)
    procps
    # etcd, etcdctl and HAProxy for the failover files' tests (tests/deploy/: deploy/etcd,
    # deploy/haproxy); not --build-only, since Debian starts etcd.service and haproxy.service on
    # installation
    etcd-server etcd-client haproxy
    # a booted systemd host for the deployment-guide walk (tests/deploy/deployment_walk_test.py)
    debootstrap systemd-container
    # the fuzz preset (tests/fuzz, docs/fuzzing.md): clang with libFuzzer and the sanitizer
    # runtimes (libclang-rt-14-dev: Debian 12's clang is 14), llvm-symbolizer for the reports
    clang libclang-rt-14-dev llvm
    # the web console's browser test (tests/console, docs/console.md): headless Chromium and a
    # font for its pages and screenshots; the test installs its npm packages itself (`npm ci`
    # from tests/console/package-lock.json) when they are missing
    chromium fonts-dejavu-core
  )
  # Node.js and npm for that test: Debian's, unless a `node` is installed already (NodeSource's
  # nodejs, for one, brings its own npm and conflicts with Debian's npm package)
  command -v node >/dev/null || packages+=(nodejs npm)
fi
if [ "$postgres" -eq 1 ]; then
  # the server and pgbench, for the side-by-side benchmark (scripts/lib/bench_postgres.sh)
  packages+=(postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
