#!/usr/bin/env bash
# Installs GNU gettext (msgfmt compiles the translation catalogues; makemessages uses
# xgettext). Idempotent: does nothing when it is there.
set -euo pipefail

if command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1; then
  exit 0
fi
echo "Installing gettext for the translation catalogues"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends gettext
command -v msgfmt >/dev/null 2>&1 || { echo "gettext did not install"; exit 1; }
