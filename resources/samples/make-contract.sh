#!/usr/bin/env bash
# Regenerates contract.pdf (a two-page Chinese service contract with "盖章处" where each party's
# seal goes) from contract.html with Debian's Chromium and fonts-noto-cjk. LibreOffice is not
# available on the build machines; Chromium's print-to-PDF embeds the CJK fonts as subsets, so
# pdf.js can extract the text and 自动定位 finds the keyword.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
  --no-pdf-header-footer --print-to-pdf="$tmp/contract.pdf" "file://$PWD/contract.html" >/dev/null 2>&1
cp "$tmp/contract.pdf" contract.pdf
echo "wrote $(pwd)/contract.pdf ($(stat -c %s contract.pdf) bytes)"
