#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (so a second run is instant).
# fonts-noto-cjk: Noto Serif/Sans CJK SC — without a CJK font every character prints as tofu.
# libharfbuzz-subset0: WeasyPrint subsets fonts with it in 0.2 s instead of 11–16 s with fontTools.
# poppler-utils: pdftoppm/pdffonts/pdftotext, to look at and check the PDFs.
# libgs10-common: Ghostscript's CMYK ICC profile, with which the tests check PDF/X-4 output.
# chromium, chromium-driver: the browser tests (Playwright drives Debian's Chromium).
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
