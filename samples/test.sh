#!/usr/bin/env bash
# The test command from the README: installs what the tests need on Debian 12, then runs every test.
# Tests read models and media from ../shared at run time (REDACTOR_SHARED overrides the location).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
dotnet test Redactor.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory TestResults "$@"
