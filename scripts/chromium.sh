#!/usr/bin/env bash
# Makes sure Debian's Chromium (for headless browser tests) and CJK fonts are installed.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "chromium: installing Debian's chromium and fonts-noto-cjk"
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else echo "chromium: need root to install" >&2; exit 1; fi; }
run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "chromium: install failed" >&2; exit 1; }
