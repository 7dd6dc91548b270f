#!/usr/bin/env bash
# One-time set-up on Debian 12 with the .NET 10 SDK: system packages, a Release build, and the face model.
# Models come from a local folder when one is given (offline machines; default ../shared/models if present),
# otherwise they are downloaded from upstream and checked against their pinned sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
from="${1:-}"
[ -n "$from" ] || { [ -d ../shared/models ] && from=../shared/models; }
if [ -n "$from" ]; then ./redactor models install --from "$from"; else ./redactor models install; fi
