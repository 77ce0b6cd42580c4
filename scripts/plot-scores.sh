#!/usr/bin/env bash
# BLEU and chrF per direction as a clustered bar chart (gnuplot), from a tab-separated table
# with a header line and the columns direction, BLEU, chrF (eval-multilingual.sh's
# scores.tsv, bench-opus100.sh's bleu.tsv).
#   scripts/plot-scores.sh TABLE PNG TITLE [WIDTH]   (WIDTH in pixels, default 1000)
# Exits 0 without a chart when gnuplot is missing (says so), 1 when gnuplot fails.
set -euo pipefail
table=${1:?usage: plot-scores.sh TABLE PNG TITLE [WIDTH]} png=${2:?PNG} title=${3:?TITLE} width=${4:-1000}
command -v gnuplot > /dev/null ||
    { echo "plot-scores: gnuplot not found (apt-get install gnuplot-nox): no chart drawn" >&2; exit 0; }
gnuplot <<GP
set terminal pngcairo size $width,500 noenhanced
set output "$png"
set title "$title"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set yrange [0:100]
set ylabel "score"
set xtics rotate by -45
set datafile separator "\t"
plot "$table" every ::1 using 2:xtic(1) title "BLEU", "" every ::1 using 3 title "chrF"
GP
