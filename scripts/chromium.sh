#!/usr/bin/env bash
# Makes sure Debian's Chromium (for the headless browser tests, driven with chromedp) and CJK fonts
# (so Chinese text renders in the screenshots) are installed, then prints Chromium's path.
set -euo pipefail

say() { echo "chromium: $*"; }
die() { echo "chromium: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif have sudo; then sudo "$@"
  else die "chromium is not installed and installing it needs root (run as root, or install sudo)"; fi
}

if ! have chromium; then
  have apt-get || die "chromium is not installed and apt-get was not found; install Chromium yourself"
  say "installing chromium, fonts-noto-cjk and fonts-liberation (apt-get)"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk fonts-liberation >/dev/null || die "apt-get install chromium failed"
  have chromium || die "chromium is still not on PATH after installing the package"
fi
command -v chromium
