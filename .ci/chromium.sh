#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (Playwright drives it; its own
# browser download cannot run here). Idempotent: does nothing when it is there.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "Installing chromium for the browser tests"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
command -v chromium >/dev/null 2>&1 || { echo "chromium did not install"; exit 1; }
