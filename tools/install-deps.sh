#!/usr/bin/env bash
# Installs what Floe needs to build, test and benchmark on Debian 12, from Debian's packages
# (and the npm registry for the interoperability tests' pinned references, installed by
# `make test` itself from tests/interop/package-lock.json).
#
# Idempotent and quick when everything is present: it asks dpkg first and runs apt-get only
# for what is missing. Runs apt through sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  liburing-dev libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev libavro-dev libjansson-dev
  libxxhash-dev libcurl4-openssl-dev check
  clang libclang-rt-14-dev          # libFuzzer targets (make fuzz) and their sanitizers
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   # the ARM64 build, run under qemu
  time                              # /usr/bin/time: peak memory in the benchmarks
)
# The ARM64 kernel tests link Check and xxHash for arm64, from Debian's multiarch packages.
arm64_packages=(check:arm64 libsubunit-dev:arm64 libxxhash-dev:arm64)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# True when package $1 is installed; "name:arch" asks for that architecture, a plain name for
# the native one (or an architecture-independent package).
native_arch=$(dpkg --print-architecture)
is_installed() {
  local name=${1%%:*} arch=${1#*:}
  [ "$arch" = "$1" ] && arch=$native_arch
  dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null |
    grep -Eq "^install ok installed ($arch|all)\$"
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done
# Node.js 18+ with npm runs DuckDB and icebird, the independent references of the tests.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

need_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1
for package in "${arm64_packages[@]}"; do
  is_installed "$package" || need_arm64=1
done

if [ ${#missing[@]} -eq 0 ] && [ "$need_arm64" -eq 0 ]; then
  echo "install-deps: everything Floe needs is installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_arm64" -eq 1 ]; then
  as_root dpkg --add-architecture arm64
fi
echo "install-deps: installing ${missing[*]} ${arm64_packages[*]}"
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" "${arm64_packages[@]}"
echo "install-deps: done"
