#!/usr/bin/env bash
# System packages the tests need beyond npm: Debian's chromium, which the report test drives
# through playwright-core (test/reports/report.test.ts), and verilator with g++, which the RTL
# co-simulation tests build their models with (test/rtl/). Idempotent: installs only what is
# missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(verilator --version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
/usr/bin/chromium --version || true
verilator --version
