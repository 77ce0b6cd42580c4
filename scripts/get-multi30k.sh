#!/usr/bin/env bash
# Prepares Multi30k (task 1: en, de, fr, cs; train 29k, val 1,014, test_2016_flickr 1,000
# lines) in DIR as gzip files train.XX.gz, val.XX.gz, test_2016_flickr.XX.gz, and the later
# test sets where they exist: test_2017_flickr (1,000) and test_2017_mscoco (461) in en, de,
# fr; test_2018_flickr (1,071) in all four. A local copy without them is not an error.
#   scripts/get-multi30k.sh DIR [SOURCE_DIR]
# SOURCE_DIR (default: ../shared/data/multi30k beside the checkout, if present) is a local
# copy; without one the files are downloaded from the public multi30k/dataset repository.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"  # also through a symlink
me=get-multi30k
. "$here/scripts/lib/fetch.sh"
dir=${1:?usage: get-multi30k.sh DIR [SOURCE_DIR]}
src=${2:-}
[ -n "$src" ] || { [ -d "$here/../shared/data/multi30k" ] && src="$here/../shared/data/multi30k"; } || true
mkdir -p "$dir"
url=https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw
for split in train val test_2016_flickr; do
    for lang in en de fr cs; do
        f=$split.$lang.gz
        [ -s "$dir/$f" ] && continue
        if [ -n "$src" ] && [ -s "$src/$f" ]; then
            cp "$src/$f" "$dir/$f"
        else
            echo "get-multi30k: downloading $f" >&2
            fetch "$url/$f" "$dir/$f" || die "download of $url/$f failed"
        fi
    done
done
# The later test sets: taken when present, skipped with a note when not (no cs for 2017).
for f in test_2017_flickr.{en,de,fr}.gz test_2017_mscoco.{en,de,fr}.gz test_2018_flickr.{en,de,fr,cs}.gz; do
    [ -s "$dir/$f" ] && continue
    if [ -n "$src" ]; then
        if [ -s "$src/$f" ]; then cp "$src/$f" "$dir/$f"; else missing="${missing:-} $f"; fi
    else
        fetch "$url/$f" "$dir/$f" || missing="${missing:-} $f"
    fi
done
[ -z "${missing:-}" ] || echo "get-multi30k: not in ${src:-the download}:${missing} (later test sets; skipped)" >&2
for f in "$dir"/*.gz; do gzip -t "$f" || die "$f is damaged"; done
echo "get-multi30k: $(zcat "$dir/train.en.gz" | wc -l) training lines in $dir (${src:-downloaded})"
