#!/usr/bin/env bash
# Prepares the multi-way parallel FLORES-200 dev (997) and devtest (1,012 sentences) sets of
# the languages given, as DIR/dev.XX and DIR/devtest.XX (plain text, line i of every file is
# the same sentence), ready for scripts/eval-multilingual.sh:
#   scripts/get-flores.sh DIR LANG... [--source LOCAL_DIR]
#   e.g. scripts/get-flores.sh data/flores en de fr
#        scripts/eval-multilingual.sh MODEL data/flores "en de fr" OUT devtest
# LANG is an ISO 639-1 code with an entry in the table below (de -> deu_Latn), a FLORES-200
# code used as is (deu_Latn -> DIR/devtest.deu_Latn), or NAME=CODE to choose the file
# suffix, which must be the language tag the model was trained with (zh=zho_Hant).
# Upstream: the original FLORES-200 release of the NLLB project (CC BY-SA 4.0,
# https://github.com/facebookresearch/flores/tree/main/flores200), the tarball that
# https://tinyurl.com/flores200dataset redirects to:
#   https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz
# unpacked as flores200_dataset/{dev,devtest}/<code>.{dev,devtest} (204 languages, the same
# sentence order in every file) with metadata_{dev,devtest}.tsv beside them. Not used: the
# Hugging Face facebook/flores dataset (gated, parquet per config) and FLORES+
# (github.com/openlanguagedata/flores, a password-protected zip with partly renamed codes,
# e.g. cmn_Hans, ekk_Latn; an unpacked FLORES+ tree in the same dev/ devtest/ layout can
# still be given with --source and FLORES codes). The tarball (about 25 MB) is kept as
# DIR/flores200_dataset.tar.gz so that other languages need no second download; delete it
# when done. FLORES200_URL overrides the URL.
# --source LOCAL_DIR reads an unpacked copy instead: LOCAL_DIR holds dev/ and devtest/, or
# flores200_dataset/ with them (LOCAL_DIR may also be the tarball itself).
# The files of each split must all have the same number of lines; a file that does not is
# named and the script exits 1 (usage errors exit 2).
set -euo pipefail
usage="usage: get-flores.sh DIR LANG... [--source LOCAL_DIR]"
me=get-flores
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/fetch.sh"  # also through a symlink
dir="" src="" langs=()
while [ $# -gt 0 ]; do
    case $1 in
        --source) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; src=$2; shift ;;
        --source=*) src=${1#*=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "get-flores: unknown option '$1'" >&2; echo "$usage" >&2; exit 2 ;;
        *) if [ -z "$dir" ]; then dir=$1; else langs+=("$1"); fi ;;
    esac
    shift
done
if [ -z "$dir" ] || [ ${#langs[@]} -eq 0 ]; then echo "$usage" >&2; exit 2; fi
[ -z "$src" ] || [ -e "$src" ] || { echo "get-flores: --source $src does not exist" >&2; exit 2; }

# ISO 639-1 (as used by OPUS-100 and the lang tags) -> FLORES-200 code.
flores_code() {
    case $1 in
        af) echo afr_Latn ;; am) echo amh_Ethi ;; ar) echo arb_Arab ;; as) echo asm_Beng ;;
        az) echo azj_Latn ;; be) echo bel_Cyrl ;; bg) echo bul_Cyrl ;; bn) echo ben_Beng ;;
        bs) echo bos_Latn ;; ca) echo cat_Latn ;; cs) echo ces_Latn ;; cy) echo cym_Latn ;;
        da) echo dan_Latn ;; de) echo deu_Latn ;; el) echo ell_Grek ;; en) echo eng_Latn ;;
        eo) echo epo_Latn ;; es) echo spa_Latn ;; et) echo est_Latn ;; eu) echo eus_Latn ;;
        fa) echo pes_Arab ;; fi) echo fin_Latn ;; fr) echo fra_Latn ;; ga) echo gle_Latn ;;
        gd) echo gla_Latn ;; gl) echo glg_Latn ;; gu) echo guj_Gujr ;; ha) echo hau_Latn ;;
        he) echo heb_Hebr ;; hi) echo hin_Deva ;; hr) echo hrv_Latn ;; hu) echo hun_Latn ;;
        hy) echo hye_Armn ;; id) echo ind_Latn ;; ig) echo ibo_Latn ;; is) echo isl_Latn ;;
        it) echo ita_Latn ;; ja) echo jpn_Jpan ;; ka) echo kat_Geor ;; kk) echo kaz_Cyrl ;;
        km) echo khm_Khmr ;; kn) echo kan_Knda ;; ko) echo kor_Hang ;; ky) echo kir_Cyrl ;;
        lt) echo lit_Latn ;; lv) echo lvs_Latn ;; mk) echo mkd_Cyrl ;; ml) echo mal_Mlym ;;
        mn) echo khk_Cyrl ;; mr) echo mar_Deva ;; ms) echo zsm_Latn ;; mt) echo mlt_Latn ;;
        my) echo mya_Mymr ;; nb|no) echo nob_Latn ;; ne) echo npi_Deva ;; nl) echo nld_Latn ;;
        nn) echo nno_Latn ;; oc) echo oci_Latn ;; or) echo ory_Orya ;; pa) echo pan_Guru ;;
        pl) echo pol_Latn ;; ps) echo pbt_Arab ;; pt) echo por_Latn ;; ro) echo ron_Latn ;;
        ru) echo rus_Cyrl ;; rw) echo kin_Latn ;; si) echo sin_Sinh ;; sk) echo slk_Latn ;;
        sl) echo slv_Latn ;; sq) echo als_Latn ;; sr) echo srp_Cyrl ;; sv) echo swe_Latn ;;
        sw) echo swh_Latn ;; ta) echo tam_Taml ;; te) echo tel_Telu ;; tg) echo tgk_Cyrl ;;
        th) echo tha_Thai ;; tk) echo tuk_Latn ;; tr) echo tur_Latn ;; tt) echo tat_Cyrl ;;
        ug) echo uig_Arab ;; uk) echo ukr_Cyrl ;; ur) echo urd_Arab ;; uz) echo uzn_Latn ;;
        vi) echo vie_Latn ;; xh) echo xho_Latn ;; yi) echo ydd_Hebr ;; yo) echo yor_Latn ;;
        zh) echo zho_Hans ;; zu) echo zul_Latn ;;
        *) return 1 ;;
    esac
}

# Resolve every LANG to "NAME CODE" before touching anything.
names=() codes=()
for arg in "${langs[@]}"; do
    if [[ $arg == *=* ]]; then
        name=${arg%%=*} code=${arg#*=}
    elif [[ $arg =~ ^[a-z]{3}_[A-Z][a-z]{3}$ ]]; then
        name=$arg code=$arg
    elif code=$(flores_code "$arg"); then
        name=$arg
    else
        echo "get-flores: no FLORES-200 code known for '$arg': give the code itself (e.g. deu_Latn)" \
             "or NAME=CODE (e.g. $arg=xxx_Latn); codes: https://github.com/facebookresearch/flores/tree/main/flores200" >&2
        exit 2
    fi
    [[ $name =~ ^[A-Za-z0-9_]+$ ]] || { echo "get-flores: '$name' is not a usable language name (letters, digits, _)" >&2; exit 2; }
    [[ $code =~ ^[a-z]{3}_[A-Z][a-z]{3}$ ]] || { echo "get-flores: '$code' is not a FLORES-200 code like deu_Latn" >&2; exit 2; }
    for n in "${names[@]+"${names[@]}"}"; do
        if [ "$n" = "$name" ]; then echo "get-flores: $name is given twice" >&2; exit 2; fi
    done
    names+=("$name") codes+=("$code")
done
mkdir -p "$dir"

# The unpacked tree to read from: --source, or the (downloaded) tarball unpacked in a temp dir.
tree=""
if [ -n "$src" ] && [ -d "$src" ]; then
    for t in "$src" "$src/flores200_dataset"; do
        [ -d "$t/devtest" ] && { tree=$t; break; }
    done
    [ -n "$tree" ] || die "--source $src holds neither devtest/ nor flores200_dataset/devtest/"
else
    tarball=$src
    if [ -z "$tarball" ]; then
        tarball=$dir/flores200_dataset.tar.gz
        if [ ! -s "$tarball" ]; then
            url=${FLORES200_URL:-https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz}
            echo "get-flores: downloading $url" >&2
            fetch "$url" "$tarball" || die "download of $url failed"
        fi
    fi
    gzip -t "$tarball" 2> /dev/null || die "$tarball is damaged (gzip -t failed): delete it and rerun"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    members=()
    for code in "${codes[@]}"; do
        members+=("flores200_dataset/dev/$code.dev" "flores200_dataset/devtest/$code.devtest")
    done
    tar -xzf "$tarball" -C "$tmp" "${members[@]}" 2> "$tmp/tar.err" ||
        die "$tarball lacks some of ${codes[*]}: $(grep -o '[^ ]*: Not found in archive' "$tmp/tar.err" | head -n 3 | paste -sd' ')"
    tree=$tmp/flores200_dataset
fi

for split in dev devtest; do
    want="" first=""
    for i in "${!names[@]}"; do
        in=$tree/$split/${codes[$i]}.$split out=$dir/$split.${names[$i]}
        [ -f "$in" ] || die "no $in (FLORES-200 code ${codes[$i]} for ${names[$i]})"
        # Normalised to LF line ends, with a final newline.
        sed 's/\r$//' "$in" > "$out.part"
        [ -z "$(tail -c 1 "$out.part")" ] || echo >> "$out.part"
        mv "$out.part" "$out"
        n=$(wc -l < "$out")
        [ "$n" -gt 0 ] || die "$out is empty (from $in)"
        if [ -z "$want" ]; then
            want=$n first=$out
        elif [ "$n" -ne "$want" ]; then
            die "$out has $n lines but $first has $want: the $split files are not multi-way parallel"
        fi
    done
    echo "get-flores: $split: $want sentences in ${#names[@]} languages"
done
echo "get-flores: $(printf '%s ' "${names[@]}")in $dir (${src:-downloaded}); e.g." \
     "scripts/eval-multilingual.sh MODEL $dir \"${names[*]}\" OUT devtest"
