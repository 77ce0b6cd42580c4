#!/usr/bin/env bash
# Prepares OPUS-100 (English-centric, 99 en-xx pairs; the DeepNet paper's section 5.3
# multilingual benchmark) for the languages given, and a data config for `deepnet train`.
#   scripts/get-opus100.sh DIR LANG... [--source LOCAL_DIR] [--max-lines N]
#   e.g. scripts/get-opus100.sh data/opus100 de fr cs
#        deepnet train -c configs/<model>.yaml -c data/opus100/opus100.yaml
#   (the data config last: a later config file overrides an earlier one, and a model config
#   such as configs/deepnet-1000l.yaml carries placeholder train-sets of its own)
# Writes, for every LANG xx (line-parallel gzip files, English side first in the names):
#   DIR/train.en-xx.en.gz DIR/train.en-xx.xx.gz   (up to 1M pairs; the first N with --max-lines)
#   DIR/dev.en-xx.{en,xx}.gz  DIR/test.en-xx.{en,xx}.gz   (2,000 pairs each)
#   DIR/opus100.yaml   data options only: train-sets (the en-xx pairs), both-directions,
#                      lang-tags, sampling-temperature 5 and valid-sets (dev, both directions)
# Upstream (OPUS-100 v1.0, Zhang et al. 2020, https://github.com/EdinburghNLP/opus-100-corpus):
#   https://data.statmt.org/opus-100-corpus/v1.0/supervised/<pair>/opus.<pair>-<split>.<lang>
# where <pair> names its two languages in alphabetical order (de-en, en-fr), <split> is
# train, dev or test and the files are plain UTF-8 text, one sentence a line. The same tree
# is in the release tarball (https://object.pouta.csc.fi/OPUS-100/v1.0/opus-100-corpus-v1.0.tar.gz,
# unpacked as opus-100-corpus/v1.0/supervised/...). an, dz, hy, mn and yo have no dev/test
# upstream: only their training data is fetched and they are left out of valid-sets.
# --source LOCAL_DIR reads the files from a local copy instead of downloading: LOCAL_DIR may
# be the unpacked release (holding opus-100-corpus/v1.0/supervised), its supervised/ folder,
# or a folder of the opus.<pair>-<split>.<lang> files, per pair or flat (plain or .gz).
# Downloads go to DIR/download/<pair>/ under the upstream names, so a rerun (another
# --max-lines, more languages) fetches nothing twice and `--source DIR/download` works;
# delete DIR/download once the data is prepared. OPUS100_URL overrides the base URL.
# At the end every file is checked with gzip -t and each pair for the same line count on
# both sides; a failure names the file and exits 1 (usage errors exit 2).
set -euo pipefail
usage="usage: get-opus100.sh DIR LANG... [--source LOCAL_DIR] [--max-lines N]"
me=get-opus100
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/fetch.sh"  # also through a symlink
dir="" src="" max_lines="" langs=()
while [ $# -gt 0 ]; do
    case $1 in
        --source) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; src=$2; shift ;;
        --source=*) src=${1#*=} ;;
        --max-lines) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; max_lines=$2; shift ;;
        --max-lines=*) max_lines=${1#*=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "get-opus100: unknown option '$1'" >&2; echo "$usage" >&2; exit 2 ;;
        *) if [ -z "$dir" ]; then dir=$1; else langs+=("$1"); fi ;;
    esac
    shift
done
if [ -z "$dir" ] || [ ${#langs[@]} -eq 0 ]; then echo "$usage" >&2; exit 2; fi
if [ -n "$max_lines" ] && ! [[ $max_lines =~ ^[1-9][0-9]*$ ]]; then
    echo "get-opus100: --max-lines wants a positive number of lines, got '$max_lines'" >&2; exit 2
fi
[ -z "$src" ] || [ -d "$src" ] || { echo "get-opus100: --source $src is not a directory" >&2; exit 2; }

# The 99 supervised pairs' non-English languages, and those without dev/test upstream.
opus100_langs=" af am an ar as az be bg bn br bs ca cs cy da de dz el eo es et eu fa fi fr fy ga
 gd gl gu ha he hi hr hu hy id ig is it ja ka kk km kn ko ku ky li lt lv mg mk ml mn mr ms mt
 my nb ne nl nn no oc or pa pl ps pt ro ru rw se sh si sk sl sq sr sv ta te tg th tk tr tt ug
 uk ur uz vi wa xh yi yo zh zu "
no_dev_test=" an dz hy mn yo "
seen=" "
for l in "${langs[@]}"; do
    [ "$l" != en ] || { echo "get-opus100: give the non-English languages (en is in every pair)" >&2; exit 2; }
    [[ $l =~ ^[a-z]{2,3}$ ]] || { echo "get-opus100: '$l' is not an OPUS-100 language code (e.g. de, fr, zh)" >&2; exit 2; }
    if [[ $seen == *" $l "* ]]; then echo "get-opus100: $l is given twice" >&2; exit 2; fi
    seen+="$l "
    # With a local copy, whatever it holds is accepted; downloads only exist for the 99.
    if [ -z "$src" ] && [[ $opus100_langs != *" $l "* ]]; then
        echo "get-opus100: OPUS-100 has no en-$l pair; its languages are:$(tr -s ' \n' ' ' <<< "$opus100_langs")" >&2
        exit 2
    fi
done
command -v gzip > /dev/null || die "gzip not found"
[ -n "$src" ] || command -v curl > /dev/null || die "curl not found (or give --source LOCAL_DIR)"
mkdir -p "$dir"
url=${OPUS100_URL:-https://data.statmt.org/opus-100-corpus/v1.0/supervised}

pair_of() { if [[ $1 < en ]]; then echo "$1-en"; else echo "en-$1"; fi; }

# upstream PAIR SPLIT LANG -> path of the upstream file (local copy or downloaded).
upstream() {
    local pair=$1 split=$2 lang=$3 name root f
    name=opus.$pair-$split.$lang
    if [ -n "$src" ]; then
        for root in "$src/opus-100-corpus/v1.0/supervised" "$src/v1.0/supervised" "$src/supervised" "$src"; do
            for f in "$root/$pair/$name" "$root/$pair/$name.gz" "$root/$name" "$root/$name.gz"; do
                [ -f "$f" ] && { echo "$f"; return; }
            done
        done
        die "no $name (or $name.gz) under --source $src (looked in <pair>/ and flat, under $src, supervised/ and opus-100-corpus/v1.0/supervised/)"
    fi
    f=$dir/download/$pair/$name
    if [ ! -s "$f" ]; then
        mkdir -p "$dir/download/$pair"
        echo "get-opus100: downloading $pair/$name" >&2
        fetch "$url/$pair/$name" "$f" || die "download of $url/$pair/$name failed"
    fi
    echo "$f"
}

# write SOURCE OUT [LINES]: OUT.gz from SOURCE (plain or gzip), the first LINES lines if given.
write() {
    local in=$1 out=$2 lines=${3:-}
    local cat=cat
    case $in in *.gz) cat="gzip -dc" ;; esac
    if [ -n "$lines" ]; then
        # awk reads to the end (no SIGPIPE for the decompressor under pipefail).
        $cat "$in" | awk -v n="$lines" 'NR <= n' | gzip -c > "$out.part"
    else
        $cat "$in" | gzip -c > "$out.part"
    fi
    mv "$out.part" "$out"
}

splits_of() { if [[ $no_dev_test == *" $1 "* ]]; then echo train; else echo train dev test; fi; }

for l in "${langs[@]}"; do
    pair=$(pair_of "$l")
    for split in $(splits_of "$l"); do
        lines=""
        [ "$split" = train ] && lines=$max_lines
        for side in en "$l"; do
            in=$(upstream "$pair" "$split" "$side")
            write "$in" "$dir/$split.en-$l.$side.gz" "$lines"
        done
    done
    if [[ $no_dev_test == *" $l "* ]]; then
        echo "get-opus100: en-$l has no dev/test in OPUS-100: training data only" >&2
    fi
done

# Integrity and line parity of everything written.
for l in "${langs[@]}"; do
    for split in $(splits_of "$l"); do
        check_parallel "$dir/$split.en-$l.en.gz" "$dir/$split.en-$l.$l.gz" "en-$l $split pair"
    done
done

# The data config: absolute paths, so it works from any directory.
abs=$(cd "$dir" && pwd)
q() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }  # a YAML double-quoted string
{
    echo "# OPUS-100 en-xx data for $(printf '%s ' "${langs[@]}")(scripts/get-opus100.sh${max_lines:+, --max-lines $max_lines})."
    echo "# Data options only: give the model and training options in another config, before this"
    echo "# one (a later config overrides an earlier one's train-sets/valid-sets), e.g."
    echo "#   deepnet train -c configs/<model>.yaml -c $dir/opus100.yaml"
    echo "# Every pair is trained in both directions with <2xx> target tags; corpora are sampled"
    echo "# with temperature 5 (the paper's setting, after Zhang et al. 2020)."
    echo "train-sets:"
    for l in "${langs[@]}"; do
        echo "  - $(q "$abs/train.en-$l.en.gz")"
        echo "  - $(q "$abs/train.en-$l.$l.gz")"
    done
    echo "both-directions: true"
    echo "lang-tags: true"
    echo "sampling-temperature: 5"
    n_valid=0
    for l in "${langs[@]}"; do
        if [[ $no_dev_test != *" $l "* ]]; then n_valid=$((n_valid + 1)); fi
    done
    if [ "$n_valid" -gt 0 ]; then
        echo "valid-sets:"
        for l in "${langs[@]}"; do
            if [[ $no_dev_test == *" $l "* ]]; then continue; fi
            echo "  - $(q "$abs/dev.en-$l.en.gz")"
            echo "  - $(q "$abs/dev.en-$l.$l.gz")"
            echo "  - $(q "$abs/dev.en-$l.$l.gz")"
            echo "  - $(q "$abs/dev.en-$l.en.gz")"
        done
    fi
} > "$dir/opus100.yaml.part"
mv "$dir/opus100.yaml.part" "$dir/opus100.yaml"
for l in "${langs[@]}"; do
    echo "get-opus100: en-$l: $(count_lines "$dir/train.en-$l.en.gz") training pairs"
done
echo "get-opus100: data in $dir (${src:-downloaded}); config $dir/opus100.yaml"
