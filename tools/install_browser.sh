#!/usr/bin/env bash
# Make sure Debian's chromium is at /usr/bin/chromium for the browser tests (tests/browser, pytest -m browser).
# Idempotent: does nothing when it is already there. Never downloads a browser of playwright's own
# (`playwright install`): the tests drive this chromium through playwright's executable_path.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "install_browser: /usr/bin/chromium is already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install_browser: need root (or sudo) to apt-get install chromium" >&2; exit 1; }
    SUDO="sudo"
fi

echo "install_browser: installing Debian's chromium"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium

[ -x /usr/bin/chromium ] || { echo "install_browser: /usr/bin/chromium still missing after apt-get install" >&2; exit 1; }
echo "install_browser: installed /usr/bin/chromium"
