#!/usr/bin/env bash
# Installs what the test suite needs from Debian (the Nix 2.8 oracle, sqlite3) when it is
# missing and we are root. Without root the tests that need them report themselves skipped.
set -euo pipefail
need=()
command -v nix-store >/dev/null 2>&1 || need+=(nix-bin)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: not root or no apt-get; tests needing ${need[*]} will be skipped" >&2
  exit 0
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${need[@]}" >/dev/null
