#!/usr/bin/env bash
# Debian's chromium for the real-browser end-to-end test: Playwright drives it and never downloads
# a browser of its own. Installs it with apt-get when it is missing; a clear message if that fails.
set -euo pipefail
chromium=${ETOWN_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
echo "Installing Debian's chromium for the browser test (apt-get install chromium)..."
sudo=""
if [ "$(id -u)" != "0" ]; then
  sudo="sudo -n"
fi
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >/dev/null; then
  echo "error: chromium could not be installed with apt-get (it needs root or password-less sudo and Debian's" >&2
  echo "       package archive). Install it with 'apt-get install chromium' and run 'make test' again." >&2
  exit 1
fi
[ -x "$chromium" ] || { echo "error: chromium was installed but $chromium is missing" >&2; exit 1; }
