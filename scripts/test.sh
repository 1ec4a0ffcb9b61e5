#!/usr/bin/env bash
# The test command: type-check, lint, then every test file under node's test runner.
# `bash scripts/test.sh e2e` runs only the Playwright end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "e2e" ]; then
  mapfile -t files < <(find test/e2e -name '*.test.ts' 2>/dev/null | sort)
else
  npx tsc -p tsconfig.json --noEmit
  npx eslint src test
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
# The CLI tests run bin/sealdesk, which runs the built bundle: build it from these sources first.
node scripts/build.mjs --cli-only
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
