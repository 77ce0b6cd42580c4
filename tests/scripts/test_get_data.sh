#!/usr/bin/env bash
# scripts/get-opus100.sh, scripts/get-flores.sh, scripts/get-wmt17-ende.sh and
# scripts/get-multi30k.sh (a local copy only) on tiny fake
# upstream trees (the real file names and layouts, a few lines per file; --source only, or
# curl on file:// URLs, never the network): the files written and their line counts,
# --max-lines, the line-parity check naming the broken file, the usage errors, and that
# `deepnet train` accepts the generated opus100.yaml and wmt17.yaml.
#   test_get_data.sh DEEPNET_BINARY
set -euo pipefail
bin=$(realpath "${1:?usage: test_get_data.sh DEEPNET_BINARY}")
here="$(cd "$(dirname "$0")/../.." && pwd)"
opus=$here/scripts/get-opus100.sh flores=$here/scripts/get-flores.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# No download may happen: a curl on the PATH that fails the test if it is ever called. The
# download path itself is run with the real curl on file:// URLs (when curl is installed).
real_path=$PATH
mkdir bin
printf '#!/bin/sh\necho "curl called: $*" >&2\nexit 99\n' > bin/curl
chmod +x bin/curl
export PATH=$work/bin:$PATH

fail() { echo "FAILED: $*" >&2; exit 1; }
lines() { case $1 in *.gz) gzip -dc "$1" | wc -l ;; *) wc -l < "$1" ;; esac; }
expect_lines() {  # expect_lines N FILE...
    local n=$1 f
    shift
    for f in "$@"; do
        [ -f "$f" ] || fail "$f was not written"
        [ "$(lines "$f")" -eq "$n" ] || fail "$f has $(lines "$f") lines, want $n"
    done
}
# expect_error CODE PATTERN -- command...: that exit code and PATTERN in its stderr.
expect_error() {
    local code=$1 pattern=$2 rc=0
    shift 3
    "$@" > out.txt 2> err.txt || rc=$?
    [ "$rc" -eq "$code" ] || { cat err.txt >&2; fail "$* exited $rc, want $code"; }
    grep -Eq -- "$pattern" err.txt || { cat err.txt >&2; fail "$*: no '$pattern' in its message"; }
}

# OPUS-100 v1.0 as unpacked from the release: opus-100-corpus/v1.0/supervised/<pair>/
# opus.<pair>-<split>.<lang>, the pair's languages in alphabetical order.
up=$work/opus/opus-100-corpus/v1.0/supervised
make_pair() {  # make_pair PAIR TRAIN_LINES [SPLITS]
    local pair=$1 n=$2 splits=${3:-"train dev test"} split lang k
    mkdir -p "$up/$pair"
    for split in $splits; do
        k=3
        [ "$split" = train ] && k=$n
        for lang in ${pair%-*} ${pair#*-}; do
            seq 1 "$k" | sed "s/^/$lang $split sentence /" > "$up/$pair/opus.$pair-$split.$lang"
        done
    done
}
make_pair de-en 12
make_pair en-fr 9
make_pair en-yo 5 train   # upstream has no dev/test for en-yo

"$opus" data de fr yo --source "$work/opus" > log.txt
for l in de fr; do
    expect_lines 3 data/dev.en-$l.en.gz data/dev.en-$l.$l.gz data/test.en-$l.en.gz data/test.en-$l.$l.gz
done
expect_lines 12 data/train.en-de.en.gz data/train.en-de.de.gz
expect_lines 9 data/train.en-fr.en.gz data/train.en-fr.fr.gz
expect_lines 5 data/train.en-yo.en.gz data/train.en-yo.yo.gz
[ ! -e data/dev.en-yo.en.gz ] || fail "dev.en-yo was written though upstream has none"
[ "$(gzip -dc data/train.en-de.de.gz | head -n 1)" = "de train sentence 1" ] || fail "train.en-de.de.gz is not the de side"
[ "$(gzip -dc data/train.en-fr.en.gz | sed -n 9p)" = "en train sentence 9" ] || fail "train.en-fr.en.gz is not the en side"
[ ! -e data/download ] || fail "--source still downloaded"
grep -q "en-de: 12 training pairs" log.txt || fail "no summary line: $(cat log.txt)"

# The config: both directions, tags, and the dev sets of both directions (none for yo).
y=data/opus100.yaml
grep -qx 'both-directions: true' $y || fail "$y lacks both-directions: true"
grep -qx 'lang-tags: true' $y || fail "$y lacks lang-tags: true"
[ "$(sed -n '/^train-sets:/,/^[a-z]/p' $y | grep -c '^  - ')" -eq 6 ] || fail "$y: train-sets is not 3 pairs"
[ "$(sed -n '/^valid-sets:/,$p' $y | grep -c '^  - ')" -eq 8 ] || fail "$y: valid-sets is not 2 x 2 directions"
! grep -q 'dev.en-yo' $y || fail "$y names a dev set for en-yo"
"$bin" train -c $y --dump-config > dump.yml
grep -q "^train-sets: \[$work/data/train.en-de.en.gz, $work/data/train.en-de.de.gz," dump.yml ||
    fail "deepnet did not read train-sets from $y: $(grep train-sets dump.yml)"
grep -q '^both-directions: true' dump.yml || fail "deepnet did not read both-directions from $y"
grep -q '^lang-tags: true' dump.yml || fail "deepnet did not read lang-tags from $y"
grep -q "^valid-sets: \[$work/data/dev.en-de.en.gz, $work/data/dev.en-de.de.gz, $work/data/dev.en-de.de.gz," dump.yml ||
    fail "deepnet did not read valid-sets from $y"
# Placed after a model config, the data config's train-sets are the ones used.
printf 'train-sets: [x.en, x.de]\nenc-depth: 2\n' > model.yml
"$bin" train -c model.yml -c $y --dump-config | grep -q "^train-sets: \[$work/data/train.en-de.en.gz" ||
    fail "opus100.yaml after a model config does not set train-sets"

# --max-lines keeps the first N training lines and leaves dev/test whole; a rerun rebuilds.
"$opus" data de fr --source "$work/opus" --max-lines 4 > /dev/null
expect_lines 4 data/train.en-de.en.gz data/train.en-de.de.gz data/train.en-fr.en.gz data/train.en-fr.fr.gz
expect_lines 3 data/dev.en-de.de.gz data/test.en-fr.fr.gz
[ "$(gzip -dc data/train.en-de.en.gz | tail -n 1)" = "en train sentence 4" ] || fail "--max-lines kept the wrong lines"
"$opus" data de --source "$work/opus" --max-lines 100 > /dev/null
expect_lines 12 data/train.en-de.en.gz data/train.en-de.de.gz
grep -q '(scripts/get-opus100.sh, --max-lines 100)' $y || fail "$y does not record --max-lines"
[ "$(sed -n '/^train-sets:/,/^[a-z]/p' $y | grep -c '^  - ')" -eq 2 ] || fail "$y is not rewritten for de alone"

# A flat folder of upstream files (as fetched one by one), gzip-compressed, also works.
mkdir flat
for f in "$up"/en-fr/*; do gzip -c "$f" > "flat/$(basename "$f").gz"; done
"$opus" flat-out fr --source flat > /dev/null
expect_lines 9 flat-out/train.en-fr.en.gz flat-out/train.en-fr.fr.gz

# The download path (curl to .part, kept under DIR/download/<pair>/ with the upstream names,
# so that a rerun fetches nothing and DIR/download serves as --source), on file:// URLs.
if PATH=$real_path command -v curl > /dev/null; then
    PATH=$real_path OPUS100_URL=file://$up "$opus" dl de --max-lines 5 > /dev/null 2> dl.txt
    expect_lines 5 dl/train.en-de.en.gz dl/train.en-de.de.gz
    expect_lines 3 dl/test.en-de.de.gz
    expect_lines 12 dl/download/de-en/opus.de-en-train.de
    grep -q 'downloading de-en/opus.de-en-train.de' dl.txt || fail "no download message: $(cat dl.txt)"
    "$opus" dl de > /dev/null   # the fake curl: nothing may be fetched again
    expect_lines 12 dl/train.en-de.de.gz
    "$opus" dl-again de --source dl/download > /dev/null
    expect_lines 12 dl-again/train.en-de.en.gz
    expect_error 1 "download of file://$work/nowhere/en-fr/opus.en-fr-train.en failed" -- \
        env PATH="$real_path" OPUS100_URL="file://$work/nowhere" "$opus" dl fr
    [ -z "$(find dl -name '*.part')" ] || fail "a .part file was left behind"
fi

# The parity check: one side a line longer fails, naming the file.
echo "one line too many" >> "$up/en-fr/opus.en-fr-dev.fr"
expect_error 1 "dev\.en-fr\.fr\.gz has 4 lines but .*dev\.en-fr\.en\.gz has 3" -- "$opus" broken fr --source "$work/opus"
# ... also when the train side is the shorter one.
sed -i '$d' "$up/de-en/opus.de-en-train.de"
expect_error 1 "train\.en-de\.de\.gz has 11 lines but .*train\.en-de\.en\.gz has 12" -- "$opus" broken de --source "$work/opus"
# A missing upstream file is named.
rm "$up/de-en/opus.de-en-test.en"
expect_error 1 "no opus\.de-en-test\.en" -- "$opus" broken de --source "$work/opus"
# Usage errors (exit 2).
expect_error 2 "usage: get-opus100.sh" -- "$opus"
expect_error 2 "usage: get-opus100.sh" -- "$opus" data
expect_error 2 "en is in every pair" -- "$opus" data en --source "$work/opus"
expect_error 2 "--max-lines wants a positive number" -- "$opus" data de --max-lines 0
expect_error 2 "unknown option '--bogus'" -- "$opus" data de --bogus
expect_error 2 "OPUS-100 has no en-xq pair" -- "$opus" data xq
expect_error 2 "not a directory" -- "$opus" data de --source "$work/nowhere"

# FLORES-200 as unpacked from flores200_dataset.tar.gz: flores200_dataset/{dev,devtest}/<code>.<split>.
fl=$work/flores/flores200_dataset
mkdir -p "$fl/dev" "$fl/devtest"
for code in eng_Latn deu_Latn fra_Latn ces_Latn zho_Hant; do
    seq 1 4 | sed "s/^/$code dev /" > "$fl/dev/$code.dev"
    seq 1 6 | sed "s/^/$code devtest /" > "$fl/devtest/$code.devtest"
done
"$flores" fl-out en de fr cs ces_Latn zh=zho_Hant --source "$work/flores" > log.txt
for l in en de fr cs ces_Latn zh; do
    expect_lines 4 fl-out/dev.$l
    expect_lines 6 fl-out/devtest.$l
done
[ "$(head -n 1 fl-out/devtest.fr)" = "fra_Latn devtest 1" ] || fail "devtest.fr is not fra_Latn"
[ "$(sed -n 6p fl-out/devtest.zh)" = "zho_Hant devtest 6" ] || fail "devtest.zh is not zho_Hant"
grep -q 'devtest: 6 sentences in 6 languages' log.txt || fail "no summary: $(cat log.txt)"
# The tarball itself (the download path without the download) and the folder holding dev/.
tar -czf flores.tar.gz -C "$work/flores" flores200_dataset
"$flores" fl-tar de --source flores.tar.gz > /dev/null
expect_lines 6 fl-tar/devtest.de
"$flores" fl-dir fr --source "$fl" > /dev/null
expect_lines 4 fl-dir/dev.fr
# Downloaded (file:// here): the tarball is kept in DIR for the next languages.
if PATH=$real_path command -v curl > /dev/null; then
    PATH=$real_path FLORES200_URL=file://$work/flores.tar.gz "$flores" fl-dl en cs > /dev/null 2> dl.txt
    expect_lines 6 fl-dl/devtest.en fl-dl/devtest.cs
    [ -s fl-dl/flores200_dataset.tar.gz ] || fail "the downloaded tarball was not kept"
    "$flores" fl-dl zh=zho_Hant > /dev/null   # the fake curl: no second download
    expect_lines 4 fl-dl/dev.zh
fi
# Files of a split with different line counts fail, naming the file.
echo "extra" >> "$fl/devtest/fra_Latn.devtest"
expect_error 1 "devtest\.fr has 7 lines but .*devtest\.en has 6" -- "$flores" fl-bad en fr --source "$work/flores"
expect_error 1 "no .*jpn_Jpan\.dev \(FLORES-200 code jpn_Jpan for ja\)" -- "$flores" fl-bad ja --source "$work/flores"
expect_error 1 "lacks some of .*jpn_Jpan" -- "$flores" fl-bad ja --source flores.tar.gz
expect_error 2 "usage: get-flores.sh" -- "$flores" fl-bad
expect_error 2 "no FLORES-200 code known for 'qq'" -- "$flores" fl-bad qq --source "$work/flores"
expect_error 2 "de is given twice" -- "$flores" fl-bad de de --source "$work/flores"
expect_error 1 "neither devtest/" -- "$flores" fl-bad de --source "$work/opus"

# What eval-multilingual.sh reads: DATA_DIR/PREFIX.XX for every language.
for l in en de fr; do [ -s fl-out/devtest.$l ] || fail "no devtest.$l for eval-multilingual.sh"; done

# WMT-17 En-De (scripts/get-wmt17-ende.sh) from fairseq's five archives, with their real
# member names: the three training corpora, newstest2013 in dev.tgz, newstest2014 as sgm.
wmt=$here/scripts/get-wmt17-ende.sh
orig=$work/wmt-orig   # as fairseq's orig/ after unpacking
mkdir -p "$orig/training" "$orig/dev" "$orig/test-full"
for l in en de; do
    seq 1 5 | sed "s/^/$l europarl /" > "$orig/training/europarl-v7.de-en.$l"
    seq 1 4 | sed "s/^/$l commoncrawl /" > "$orig/commoncrawl.de-en.$l"
    seq 1 3 | sed "s/^/$l nc /" > "$orig/training/news-commentary-v12.de-en.$l"
    seq 1 3 | sed "s/^/$l newstest2013 /" > "$orig/dev/newstest2013.$l"
done
# Dropped: an empty side (Common Crawl), a blank one, and 251 words on one side (News
# Commentary); 250 words are kept.
echo "" >> "$orig/commoncrawl.de-en.en"; echo "de commoncrawl with an empty en side" >> "$orig/commoncrawl.de-en.de"
echo "en commoncrawl with a blank de side" >> "$orig/commoncrawl.de-en.en"; echo "  	 " >> "$orig/commoncrawl.de-en.de"
echo "$(seq -s ' ' 1 251)" >> "$orig/training/news-commentary-v12.de-en.en"; echo "de nc long" >> "$orig/training/news-commentary-v12.de-en.de"
echo "en nc 250 words" >> "$orig/training/news-commentary-v12.de-en.en"; echo "$(seq -s ' ' 1 250)" >> "$orig/training/news-commentary-v12.de-en.de"
for f in src.en ref.de; do   # WMT's sgm: <seg> lines among document tags
    {
        echo "<${f%%.*}set setid=\"newstest2014\" srclang=\"any\" trglang=\"de\">"
        echo '<doc sysid="ref" docid="1012-bbc" genre="news" origlang="en">'
        echo '<p>'
        for i in 1 2 3 4; do printf '<seg id="%d"> %s  test\xc2\xa0sentence\t%d & more </seg>\n' $i "${f#*.}" $i; done
        echo '</p>'
        echo '</doc>'
        echo "</${f%%.*}set>"
    } > "$orig/test-full/newstest2014-deen-$f.sgm"
done
arch=$work/wmt-archives   # the five archives, as downloaded
mkdir -p "$arch"
(cd "$orig" && tar -czf "$arch/training-parallel-europarl-v7.tgz" training/europarl-v7.de-en.en training/europarl-v7.de-en.de &&
    tar -czf "$arch/training-parallel-commoncrawl.tgz" commoncrawl.de-en.en commoncrawl.de-en.de &&
    tar -czf "$arch/training-parallel-nc-v12.tgz" training/news-commentary-v12.de-en.en training/news-commentary-v12.de-en.de &&
    tar -czf "$arch/dev.tgz" dev && tar -czf "$arch/test-full.tgz" test-full)

"$wmt" wmt --source "$arch" > log.txt 2> err.txt
expect_lines 13 wmt/train.en.gz wmt/train.de.gz   # 5 + 4 + 4 kept of 5 + 6 + 5
expect_lines 3 wmt/valid.en.gz wmt/valid.de.gz
expect_lines 4 wmt/test.en.gz wmt/test.de.gz
[ "$(gzip -dc wmt/train.en.gz | sed -n 6p)" = "en commoncrawl 1" ] || fail "train.en.gz is not Europarl then Common Crawl"
[ "$(gzip -dc wmt/train.de.gz | tail -n 1 | wc -w)" -eq 250 ] || fail "the 250-word pair was not kept last"
! gzip -dc wmt/train.de.gz | grep -q 'empty en side\|nc long' || fail "a pair with an empty or over-long side was kept"
[ "$(gzip -dc wmt/valid.de.gz | sed -n 2p)" = "de newstest2013 2" ] || fail "valid.de.gz is not newstest2013"
# sacreBLEU's extraction: the text between the tags, stripped, whitespace runs (tab, no-break
# space) as one space; nothing else touched.
[ "$(gzip -dc wmt/test.de.gz | sed -n 3p)" = "de test sentence 3 & more" ] ||
    fail "test.de.gz line 3 is '$(gzip -dc wmt/test.de.gz | sed -n 3p)'"
[ "$(gzip -dc wmt/test.en.gz | head -n 1)" = "en test sentence 1 & more" ] || fail "test.en.gz is not the en source"
grep -q 'train: 13 pairs (dropped 2 with an empty side, 1 with more than 250 words on a side)' log.txt ||
    fail "no or a wrong training summary: $(cat log.txt)"
grep -q 'test (newstest2014): 4 pairs' log.txt || fail "no test summary: $(cat log.txt)"
[ -z "$(find wmt -name 'tmp.*')" ] || fail "get-wmt17-ende.sh left its temporary folder"
[ ! -e wmt/download ] || fail "--source still downloaded"
y=wmt/wmt17.yaml
"$bin" train -c $y --dump-config > dump.yml
grep -q "^train-sets: \[$work/wmt/train.en.gz, $work/wmt/train.de.gz\]" dump.yml ||
    fail "deepnet did not read train-sets from $y: $(grep train-sets dump.yml)"
grep -q "^valid-sets: \[$work/wmt/valid.en.gz, $work/wmt/valid.de.gz\]" dump.yml || fail "deepnet did not read valid-sets from $y"
"$bin" train -c "$here/configs/wmt17-ende-6l.yaml" -c $y --dump-config > dump.yml
grep -q "^train-sets: \[$work/wmt/train.en.gz" dump.yml || fail "wmt17.yaml after configs/wmt17-ende-6l.yaml does not set train-sets"
# The unpacked files (fairseq's orig/ layout), some gzipped; --max-lines keeps the first N kept.
gzip "$orig/commoncrawl.de-en.de" "$orig/dev/newstest2013.en"
"$wmt" wmt-orig --source "$orig" --max-lines 7 > log.txt 2> /dev/null
expect_lines 7 wmt-orig/train.en.gz wmt-orig/train.de.gz
expect_lines 3 wmt-orig/valid.en.gz
expect_lines 4 wmt-orig/test.de.gz
[ "$(gzip -dc wmt-orig/train.de.gz | tail -n 1)" = "de commoncrawl 2" ] || fail "--max-lines 7 kept the wrong lines"
grep -q '(scripts/get-wmt17-ende.sh, --max-lines 7)' wmt-orig/wmt17.yaml || fail "wmt17.yaml does not record --max-lines"
# The download path on file:// URLs: the archives kept under DIR/download, fetched once.
if PATH=$real_path command -v curl > /dev/null; then
    PATH=$real_path WMT17_URL=file://$arch "$wmt" wmt-dl --max-lines 3 > /dev/null 2> dl.txt
    expect_lines 3 wmt-dl/train.de.gz
    expect_lines 4 wmt-dl/test.en.gz
    for a in training-parallel-europarl-v7 training-parallel-commoncrawl training-parallel-nc-v12 dev test-full; do
        [ -s "wmt-dl/download/$a.tgz" ] || fail "wmt-dl/download/$a.tgz was not kept"
        grep -q "downloading $a.tgz" dl.txt || fail "no download message for $a.tgz: $(cat dl.txt)"
    done
    "$wmt" wmt-dl > /dev/null 2>&1 || fail "a rerun fetched again (the fake curl) or failed"
    expect_lines 13 wmt-dl/train.en.gz
    expect_error 1 "download of file://$work/nowhere/training-parallel-europarl-v7.tgz failed" -- \
        env PATH="$real_path" WMT17_URL="file://$work/nowhere" "$wmt" wmt-dl-bad
    [ -z "$(find wmt-dl wmt-dl-bad -name '*.part')" ] || fail "a .part file was left behind"
fi
# Failures name the file: a corpus one line longer on one side, a missing member, a
# missing file or archive, a broken archive.
echo "one more" >> "$orig/training/europarl-v7.de-en.de"
expect_error 1 "europarl-v7\.de-en\.de has 6 lines but .*europarl-v7\.de-en\.en has 5" -- "$wmt" wmt-bad --source "$orig"
mkdir wmt-src2
cp "$arch"/*.tgz wmt-src2/
(cd "$orig" && tar -czf "$work/wmt-src2/test-full.tgz" test-full/newstest2014-deen-src.en.sgm)
expect_error 1 "cannot unpack test-full/newstest2014-deen-src\.en\.sgm and test-full/newstest2014-deen-ref\.de\.sgm from .*test-full\.tgz" -- \
    "$wmt" wmt-bad --source wmt-src2
rm wmt-src2/dev.tgz
expect_error 1 "no dev/newstest2013\.en / dev/newstest2013\.de .* and no dev\.tgz under --source wmt-src2" -- "$wmt" wmt-bad --source wmt-src2
head -c 100 "$arch/dev.tgz" > wmt-src2/dev.tgz
expect_error 1 "cannot unpack dev/newstest2013\.en .*delete it and rerun" -- "$wmt" wmt-bad --source wmt-src2
[ -z "$(find wmt-bad -name 'tmp.*' 2> /dev/null)" ] || fail "a failed run left its temporary folder"
expect_error 2 "usage: get-wmt17-ende.sh" -- "$wmt"
expect_error 2 "one DIR only" -- "$wmt" a b
expect_error 2 "--max-lines wants a positive number" -- "$wmt" wmt-bad --max-lines x
expect_error 2 "unknown option '--bogus'" -- "$wmt" wmt-bad --bogus
expect_error 2 "not a directory" -- "$wmt" wmt-bad --source "$work/nowhere"
# Multi30k from a local copy: the three required splits in four languages, the later test
# sets absent (a note, not an error), a damaged file named.
m30k=$here/scripts/get-multi30k.sh
mkdir m30k-src
for split in train val test_2016_flickr; do
    for lang in en de fr cs; do
        seq 1 4 | sed "s/^/$lang $split /" | gzip -c > "m30k-src/$split.$lang.gz"
    done
done
"$m30k" m30k m30k-src > log.txt 2> err.txt || { cat err.txt >&2; fail "get-multi30k.sh failed"; }
expect_lines 4 m30k/train.en.gz m30k/val.cs.gz m30k/test_2016_flickr.fr.gz
grep -q "4 training lines in m30k" log.txt || fail "get-multi30k: no summary line: $(cat log.txt)"
grep -q "not in m30k-src: test_2017_flickr.en.gz" err.txt || fail "get-multi30k: no note on the later sets: $(cat err.txt)"
head -c 20 m30k-src/val.de.gz > m30k/val.de.gz.bad
mv m30k/val.de.gz.bad m30k/val.de.gz
expect_error 1 "get-multi30k: m30k/val\.de\.gz is damaged" -- "$m30k" m30k m30k-src
echo "get-data: ok"
