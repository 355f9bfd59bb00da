#!/usr/bin/env bash
# Makes sure Debian's poppler-utils (pdftotext, pdffonts, pdftoppm) are installed: the certificate
# tests read back the PDFs they generate with them.
set -euo pipefail

say() { echo "poppler: $*"; }
die() { echo "poppler: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif have sudo; then sudo "$@"
  else die "poppler-utils is not installed and installing it needs root (run as root, or install sudo)"; fi
}

if ! have pdftotext || ! have pdffonts || ! have pdftoppm; then
  have apt-get || die "poppler-utils is not installed and apt-get was not found; install it yourself"
  say "installing poppler-utils (apt-get)"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    poppler-utils >/dev/null || die "apt-get install poppler-utils failed"
  have pdftotext || die "pdftotext is still not on PATH after installing poppler-utils"
fi
