#!/usr/bin/env bash
# Regenerates resources/seals/demo-seal.png (the demo seal impression) from demo-seal.svg:
# headless Chromium renders the SVG on a transparent page with the Noto CJK fonts
# (Debian: chromium, fonts-noto-cjk). 496 px across = 42 mm at 300 dpi. ImageMagick then reduces it
# to a 128-colour palette with alpha (about 14 KB): many vendor readers hold a seal picture in a fixed
# 50 KB buffer, so made seals stay well below it (make-seal.ts warns above 50 KB).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
size=496
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:transparent}svg{display:block;width:'"$size"'px;height:'"$size"'px}</style></head><body>'
  cat "$here/demo-seal.svg"
  echo '</body></html>'
} > "$work/seal.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --default-background-color=00000000 --window-size="$size,$size" \
  --user-data-dir="$work/profile" --screenshot="$work/seal.png" "file://$work/seal.html" >/dev/null 2>&1
test -s "$work/seal.png"
convert "$work/seal.png" -strip -define png:compression-level=9 -colors 128 "$here/demo-seal.png"
echo "wrote $here/demo-seal.png"
