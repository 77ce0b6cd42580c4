#!/usr/bin/env bash
# docs/marian.md must be what scripts/gen-marian-doc.sh prints for this binary.
set -euo pipefail
bin=${1:?usage: test_marian_doc.sh DEEPNET_BINARY}
here="$(cd "$(dirname "$0")/../.." && pwd)"
if ! diff -u "$here/docs/marian.md" <("$here/scripts/gen-marian-doc.sh" "$bin"); then
    echo "docs/marian.md is out of date: run scripts/gen-marian-doc.sh build/deepnet > docs/marian.md" >&2
    exit 1
fi
echo "docs/marian.md: up to date"
