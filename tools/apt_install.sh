#!/usr/bin/env bash
# apt_install.sh PACKAGE COMMAND: make sure Debian's PACKAGE is installed, COMMAND being what it provides
# (a name on PATH or an absolute path). Idempotent: does nothing when COMMAND is already there.
set -euo pipefail
package="$1"
command="$2"
me="install $package"

if command -v "$command" >/dev/null; then
    echo "$me: $(command -v "$command") is already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "$me: need root (or sudo) to apt-get install $package" >&2; exit 1; }
    SUDO="sudo"
fi

echo "$me: installing Debian's $package"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "$package"

command -v "$command" >/dev/null || { echo "$me: $command still missing after apt-get install" >&2; exit 1; }
echo "$me: installed $(command -v "$command")"
