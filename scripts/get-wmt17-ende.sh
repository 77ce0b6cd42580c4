#!/usr/bin/env bash
# Prepares WMT-17 English-German for the DeepNet paper's Table 1 benchmark: the data of
# fairseq's examples/translation/prepare-wmt14en2de.sh (its default, WMT-17 training data
# with News Commentary v12; the paper reports fairseq's BLEU), and a data config for
# `deepnet train`.
#   scripts/get-wmt17-ende.sh DIR [--source LOCAL_DIR] [--max-lines N]
#   e.g. scripts/get-wmt17-ende.sh data/wmt17
#        deepnet train -c configs/wmt17-ende-6l.yaml -c data/wmt17/wmt17.yaml
#   (the data config last: a later config file overrides an earlier one)
# Writes (line-parallel gzip files, raw untokenized text: deepnet trains its SentencePiece
# vocabulary on it, so there is no Moses tokenization and no BPE here):
#   DIR/train.{en,de}.gz  Europarl v7 + Common Crawl + News Commentary v12, in that order
#                         (about 4.5M pairs); the first N kept pairs with --max-lines
#   DIR/valid.{en,de}.gz  newstest2013 (3,000 pairs)
#   DIR/test.{en,de}.gz   newstest2014, the full set (3,003 pairs; sacreBLEU's wmt14/full)
#   DIR/wmt17.yaml        data options only: train-sets and valid-sets
# Cleaning: fairseq drops training pairs after BPE with Moses' clean-corpus-n.perl (1 to
# 250 tokens a side, length ratio at most 1.5). Without tokenization only the simple part
# is kept: a training pair is dropped when a side is empty (or blank) or has more than 250
# words (whitespace-separated) on either side; no ratio filter. valid and test are whole.
# Two departures from fairseq, on purpose: its valid set is every 100th training line
# (newstest2013 is downloaded but unused there); here it is newstest2013. Its test set maps
# the right quote ’ to ' after extracting the <seg> text; here the text is taken as
# sacreBLEU takes it (lines starting with <seg, the text between the tags, whitespace
# trimmed and runs of it collapsed to one space), so scores compare with sacreBLEU's.
# Upstream (the URLs of fairseq's script; the test file names as in sacreBLEU's wmt14/full):
#   http://statmt.org/wmt13/training-parallel-europarl-v7.tgz
#       training/europarl-v7.de-en.{en,de}
#   http://statmt.org/wmt13/training-parallel-commoncrawl.tgz
#       commoncrawl.de-en.{en,de}
#   http://data.statmt.org/wmt17/translation-task/training-parallel-nc-v12.tgz
#       training/news-commentary-v12.de-en.{en,de}
#   http://data.statmt.org/wmt17/translation-task/dev.tgz
#       dev/newstest2013.{en,de}
#   http://statmt.org/wmt14/test-full.tgz
#       test-full/newstest2014-deen-src.en.sgm, test-full/newstest2014-deen-ref.de.sgm
# --source LOCAL_DIR reads a local copy instead of downloading: LOCAL_DIR may hold the five
# archives under their upstream names, or the extracted files (as fairseq's orig/ folder:
# training/, dev/, test-full/ and commoncrawl.* at the top, or all flat; plain or .gz), or
# a mix. Downloads go to DIR/download/ under the upstream names, so a rerun (another
# --max-lines) fetches nothing twice and `--source DIR/download` works; delete DIR/download
# (more than a gigabyte) once the data is prepared. WMT17_URL replaces the upstream URLs
# by one base URL that holds the five archives under their names (a mirror).
# At the end every file is checked with gzip -t and each pair for the same line count on
# both sides; a failure names the file and exits 1 (usage errors exit 2).
set -euo pipefail
usage="usage: get-wmt17-ende.sh DIR [--source LOCAL_DIR] [--max-lines N]"
me=get-wmt17
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/fetch.sh"  # also through a symlink
dir="" src="" max_lines=""
while [ $# -gt 0 ]; do
    case $1 in
        --source) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; src=$2; shift ;;
        --source=*) src=${1#*=} ;;
        --max-lines) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; max_lines=$2; shift ;;
        --max-lines=*) max_lines=${1#*=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "get-wmt17: unknown option '$1'" >&2; echo "$usage" >&2; exit 2 ;;
        *) if [ -z "$dir" ]; then dir=$1; else
               echo "get-wmt17: one DIR only (got '$dir' and '$1')" >&2; echo "$usage" >&2; exit 2
           fi ;;
    esac
    shift
done
[ -n "$dir" ] || { echo "$usage" >&2; exit 2; }
if [ -n "$max_lines" ] && ! [[ $max_lines =~ ^[1-9][0-9]*$ ]]; then
    echo "get-wmt17: --max-lines wants a positive number of lines, got '$max_lines'" >&2; exit 2
fi
[ -z "$src" ] || [ -d "$src" ] || { echo "get-wmt17: --source $src is not a directory" >&2; exit 2; }
for tool in gzip tar perl awk; do command -v $tool > /dev/null || die "$tool not found"; done
[ -n "$src" ] || command -v curl > /dev/null || die "curl not found (or give --source LOCAL_DIR)"
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

max_words=250
# The corpora (europarl, commoncrawl, nc, dev, test): archive, its upstream URL, and the
# members holding the en and de sides.
archive_of() {
    case $1 in
        europarl) echo training-parallel-europarl-v7.tgz ;;
        commoncrawl) echo training-parallel-commoncrawl.tgz ;;
        nc) echo training-parallel-nc-v12.tgz ;;
        dev) echo dev.tgz ;;
        test) echo test-full.tgz ;;
    esac
}
url_of() {
    local a
    a=$(archive_of "$1")
    if [ -n "${WMT17_URL:-}" ]; then echo "$WMT17_URL/$a"; return; fi
    case $1 in
        europarl|commoncrawl) echo "http://statmt.org/wmt13/$a" ;;
        nc|dev) echo "http://data.statmt.org/wmt17/translation-task/$a" ;;
        test) echo "http://statmt.org/wmt14/$a" ;;
    esac
}
member_of() {  # member_of KEY LANG
    case $1 in
        europarl) echo "training/europarl-v7.de-en.$2" ;;
        commoncrawl) echo "commoncrawl.de-en.$2" ;;
        nc) echo "training/news-commentary-v12.de-en.$2" ;;
        dev) echo "dev/newstest2013.$2" ;;
        test) if [ "$2" = en ]; then echo test-full/newstest2014-deen-src.en.sgm
              else echo test-full/newstest2014-deen-ref.de.sgm; fi ;;
    esac
}

# archive KEY -> path of the corpus' archive: in --source (or empty if not there), or
# downloaded to DIR/download/.
archive() {
    local a f url
    a=$(archive_of "$1")
    if [ -n "$src" ]; then
        [ -f "$src/$a" ] && echo "$src/$a"
        return 0
    fi
    f=$dir/download/$a
    if [ ! -s "$f" ]; then
        mkdir -p "$dir/download"
        url=$(url_of "$1")
        echo "get-wmt17: downloading $a" >&2
        fetch "$url" "$f" || die "download of $url failed"
    fi
    echo "$f"
}

# locate KEY: sets loc_en and loc_de to the files (plain or .gz) of the corpus' two sides:
# extracted files under --source first, else the two members unpacked from its archive.
locate() {
    local key=$1 lang m base f a found
    loc_en="" loc_de=""
    if [ -n "$src" ]; then
        for lang in en de; do
            m=$(member_of "$key" $lang)
            base=${m##*/}
            found=""
            for f in "$src/$m" "$src/$m.gz" "$src/$base" "$src/$base.gz"; do
                if [ -f "$f" ]; then found=$f; break; fi
            done
            if [ $lang = en ]; then loc_en=$found; else loc_de=$found; fi
        done
        [ -n "$loc_en" ] && [ -n "$loc_de" ] && return 0
    fi
    a=$(archive "$key")
    if [ -z "$a" ]; then
        die "no $(member_of "$key" en) / $(member_of "$key" de) (plain or .gz, in place or flat) and no $(archive_of "$key") under --source $src"
    fi
    # Only the two members are unpacked (matched by name wherever they sit in the archive).
    mkdir -p "$tmp/$key"
    local pen pde
    pen=$(member_of "$key" en) pde=$(member_of "$key" de)
    echo "get-wmt17: unpacking ${pen##*/} and ${pde##*/} from $a" >&2
    tar -xzf "$a" -C "$tmp/$key" --wildcards "*${pen##*/}" "*${pde##*/}" 2> "$tmp/tar.err" ||
        die "cannot unpack $pen and $pde from $a ($(tr '\n' ' ' < "$tmp/tar.err")); if it is a broken download, delete it and rerun"
    loc_en=$(find "$tmp/$key" -type f -name "${pen##*/}" | head -n 1)
    loc_de=$(find "$tmp/$key" -type f -name "${pde##*/}" | head -n 1)
    [ -n "$loc_en" ] && [ -n "$loc_de" ] || die "$a lacks $pen or $pde"
}

# sgm < SGM > TEXT: the <seg> text as sacreBLEU extracts it (fake_sgml.py): lines starting
# with "<seg ", the text between the tags, stripped, runs of (Unicode) whitespace as one space.
sgm() { perl -CSD -ne 'next unless /^<seg /; chomp; s/<seg.*?>(.*)<\/seg>/$1/; s/^\s+|\s+$//g; s/\s+/ /g; print "$_\n"'; }

# Training data: the three corpora, in fairseq's order, each checked for parity first.
train_en=() train_de=()
for key in europarl commoncrawl nc; do
    locate $key
    check_parallel "$loc_en" "$loc_de" "$key corpus ($(archive_of $key))"
    train_en+=("$loc_en") train_de+=("$loc_de")
done
stats=$tmp/stats
: > "$tmp/train.en"; : > "$tmp/train.de"
# One pass over both sides together: drop empty and over-long pairs, stop after N kept.
awk -v oa="$tmp/train.en" -v ob="$tmp/train.de" -v max="$max_words" \
    -v keep="${max_lines:-0}" -v stats="$stats" '
BEGIN {
    a = ARGV[1]; b = ARGV[2]; full = 0
    while ((getline x < a) > 0) {
        if ((getline y < b) <= 0) { print "the de side ended first" > "/dev/stderr"; exit 3 }
        nx = split(x, w1); ny = split(y, w2)
        if (nx == 0 || ny == 0) { empty++; continue }
        if (nx > max || ny > max) { long++; continue }
        print x > oa; print y > ob
        if (++kept == keep) { full = 1; break }
    }
    if (!full && (getline y < b) > 0) { print "the en side ended first" > "/dev/stderr"; exit 3 }
    printf "%d %d %d\n", kept, empty, long > stats
}' <(for f in "${train_en[@]}"; do cat_any "$f"; done) <(for f in "${train_de[@]}"; do cat_any "$f"; done) ||
    die "the training corpora are not line-parallel"
gzip -c "$tmp/train.en" > "$dir/train.en.gz.part"
gzip -c "$tmp/train.de" > "$dir/train.de.gz.part"
rm -f "$tmp/train.en" "$tmp/train.de"
mv "$dir/train.en.gz.part" "$dir/train.en.gz"
mv "$dir/train.de.gz.part" "$dir/train.de.gz"
read -r n_kept n_empty n_long < "$stats"

# newstest2013 (plain text in dev.tgz) and newstest2014 (sgm in test-full.tgz).
locate dev
for lang in en de; do
    f=$loc_en; [ $lang = en ] || f=$loc_de
    cat_any "$f" | gzip -c > "$dir/valid.$lang.gz.part"
    mv "$dir/valid.$lang.gz.part" "$dir/valid.$lang.gz"
done
locate test
for lang in en de; do
    f=$loc_en; [ $lang = en ] || f=$loc_de
    cat_any "$f" | sgm | gzip -c > "$dir/test.$lang.gz.part"
    mv "$dir/test.$lang.gz.part" "$dir/test.$lang.gz"
done

# Integrity and line parity of everything written.
for split in train valid test; do
    check_parallel "$dir/$split.en.gz" "$dir/$split.de.gz" "$split set"
done

# The data config: absolute paths, so it works from any directory.
abs=$(cd "$dir" && pwd)
q() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }  # a YAML double-quoted string
{
    echo "# WMT-17 En-De data (scripts/get-wmt17-ende.sh${max_lines:+, --max-lines $max_lines}): Europarl v7,"
    echo "# Common Crawl and News Commentary v12; valid newstest2013, test newstest2014 (test.{en,de}.gz)."
    echo "# Data options only: give the model and training options in another config, before this"
    echo "# one (a later config overrides an earlier one's train-sets/valid-sets), e.g."
    echo "#   deepnet train -c configs/wmt17-ende-6l.yaml -c $dir/wmt17.yaml"
    echo "train-sets:"
    echo "  - $(q "$abs/train.en.gz")"
    echo "  - $(q "$abs/train.de.gz")"
    echo "valid-sets:"
    echo "  - $(q "$abs/valid.en.gz")"
    echo "  - $(q "$abs/valid.de.gz")"
} > "$dir/wmt17.yaml.part"
mv "$dir/wmt17.yaml.part" "$dir/wmt17.yaml"
echo "get-wmt17: train: $n_kept pairs (dropped $n_empty with an empty side, $n_long with more than $max_words words on a side)"
echo "get-wmt17: valid (newstest2013): $(count_lines "$dir/valid.en.gz") pairs; test (newstest2014): $(count_lines "$dir/test.en.gz") pairs"
echo "get-wmt17: data in $dir (${src:-downloaded}); config $dir/wmt17.yaml"
