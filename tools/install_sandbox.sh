#!/usr/bin/env bash
# Make sure Debian's bubblewrap (bwrap) is installed: `bpkit grade` runs every submission in a bwrap sandbox.
# Idempotent.
set -euo pipefail
exec bash "$(dirname "$0")/apt_install.sh" bubblewrap bwrap
