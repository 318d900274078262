#!/bin/sh
# The test command: type-check, then run every test once. Extra arguments go to vitest.
set -eu
tsc --noEmit -p .
exec vitest run "$@"
