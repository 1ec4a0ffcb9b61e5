#!/usr/bin/env bash
# Installs everything SealDesk and its tests need on a fresh Debian 12 machine (run as root):
# Debian packages (SoftHSM2 as the test USB-Key, poppler and qpdf as independent verifiers,
# Chromium for the UI tests, a CJK font, OpenSSL headers for the native GM test token), then the
# npm dependencies. The Electron binary download is skipped where there is no route to it.
set -euo pipefail
cd "$(dirname "$0")/.."
# PostgreSQL 15 for the platform's second backend; mupdf-tools, libnss3-tools (pdfsig -add-signature),
# iText 5 and BouncyCastle (bcprov; bcpkix, which iText's MakeSignature needs) with a JDK as the countersigners and independent GM readers in the tests;
# ImageMagick to make scan-like seal photos; DejaVu as the second font (and black print) in the seal-picture tests.
pkgs=(softhsm2 opensc poppler-utils qpdf openssl libssl-dev build-essential python3 chromium fonts-noto-cjk xvfb valgrind
  postgresql mupdf-tools libnss3-tools default-jdk-headless libitext5-java libbcprov-java libbcpkix-java imagemagick fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
npm ci --no-audit --no-fund
# pkcs11js and better-sqlite3 are native addons: fail here, not in the middle of the tests, if it did not build.
node -e "require('pkcs11js')" || { echo "pkcs11js did not build (see allowScripts in package.json)" >&2; exit 1; }
node -e "new (require('better-sqlite3'))(':memory:').close()" || { echo "better-sqlite3 did not build (see allowScripts in package.json)" >&2; exit 1; }
if [ -f native/Makefile ]; then make -s -C native; fi
# The sealdesk command runs as a built bundle (bin/sealdesk runs dist/cli/main.mjs).
node scripts/build.mjs --cli-only
