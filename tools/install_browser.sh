#!/usr/bin/env bash
# Make sure Debian's chromium is at /usr/bin/chromium for the browser tests (tests/browser, pytest -m browser).
# Idempotent. Never downloads a browser of playwright's own (`playwright install`): the tests drive this
# chromium through playwright's executable_path.
set -euo pipefail
exec bash "$(dirname "$0")/apt_install.sh" chromium /usr/bin/chromium
