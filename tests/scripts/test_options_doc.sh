#!/usr/bin/env bash
# docs/options.md must be what scripts/gen-options-doc.sh prints for this binary.
set -euo pipefail
bin=${1:?usage: test_options_doc.sh DEEPNET_BINARY}
here="$(cd "$(dirname "$0")/../.." && pwd)"
if ! diff -u "$here/docs/options.md" <("$here/scripts/gen-options-doc.sh" "$bin"); then
    echo "docs/options.md is out of date: run scripts/gen-options-doc.sh build/deepnet > docs/options.md" >&2
    exit 1
fi
echo "docs/options.md: up to date"
