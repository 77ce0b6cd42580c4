# What the scripts/get-*.sh data scripts share; sourced, not run. The caller sets `me` (its
# name in messages) first. No download leaves a half file: curl writes FILE.part, renamed
# on success.

die() { echo "$me: $*" >&2; exit 1; }

# fetch URL FILE: downloads URL to FILE; on failure removes the part and returns 1.
fetch() {
    command -v curl > /dev/null || die "curl not found: install it, or give a local copy (see --help)"
    curl -fsSL --retry 3 -o "$2.part" "$1" || { rm -f "$2.part"; return 1; }
    mv "$2.part" "$2"
}

cat_any() { case $1 in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac; }
count_lines() { cat_any "$1" | wc -l; }

# check_parallel A B WHAT: two sides (plain or gzip) that are readable, not empty, and have the
# same number of lines; .gz files are checked with gzip -t first.
check_parallel() {
    local f na nb
    for f in "$1" "$2"; do
        case $f in *.gz) gzip -t "$f" 2> /dev/null || die "$f is damaged (gzip -t failed)" ;; esac
    done
    na=$(count_lines "$1") || die "cannot read $1"
    nb=$(count_lines "$2") || die "cannot read $2"
    [ "$na" -eq "$nb" ] || die "$2 has $nb lines but $1 has $na: the $3 is not line-parallel (check the upstream files)"
    [ "$na" -gt 0 ] || die "$1 is empty"
}
