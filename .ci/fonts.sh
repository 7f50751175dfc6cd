#!/usr/bin/env bash
# Installs a CJK font so the browser tests' screenshots show Chinese pages as a
# Chinese-speaking clinician sees them, not as empty boxes (WenQuanYi Micro Hei,
# Debian's fonts-wqy-microhei, 1.6 MB). Idempotent: does nothing when one is there.
set -euo pipefail

if fc-list :lang=zh 2>/dev/null | grep -q .; then
  exit 0
fi
echo "Installing a CJK font for the browser tests"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends fonts-wqy-microhei fontconfig
fc-list :lang=zh | grep -q . || { echo "no CJK font after installing"; exit 1; }
