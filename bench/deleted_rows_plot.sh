#!/usr/bin/env bash
# Draws bench/deleted_rows.svg from the tables of bench/deleted_rows.md: for
# each share deleted and query shape, the blocks each variant reads relative
# to the table of live rows only (log scale; the goal is at most 1.5).
# Run: bash bench/deleted_rows_plot.sh   (needs gnuplot)
set -euo pipefail
cd "$(dirname "$0")/.."
MD=${MD:-bench/deleted_rows.md}
SVG=${SVG:-bench/deleted_rows.svg}
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
# rows: "share% query" then blocks(variant) / blocks(live) for each variant
awk -F'|' '
	/^### / { share = $0; sub(/^### /, "", share); sub(/ deleted.*/, "", share) }
	/^\| (customer|latest|count|day|key) / && NF >= 16 {
		q = $2; gsub(/ /, "", q); live = $3
		printf "\"%s %s\"", share, q
		for (i = 5; i <= 15; i += 2) printf " %.3f", $i / live
		printf "\n"
	}' "$MD" > "$dat"
n=$(wc -l < "$dat")
gnuplot <<GP
set terminal svg size 900,$((120 + 22 * n)) dynamic font "sans,11" background "white"
set output "$SVG"
set termoption noenhanced
set title "Blocks read per query, relative to a table holding only the live rows (1M rows; goal: at most 1.5)"
set logscale x
set xrange [0.3:200]
set xtics (0.5, 1, 1.5, 2, 5, 10, 20, 50, 100)
set grid x
set yrange [$n + 0.5:0.5]
set ytics nomirror
set arrow from 1.5, graph 0 to 1.5, graph 1 nohead lw 2 dt 2 lc rgb "black"
set key outside bottom center horizontal
set lmargin 16
plot "$dat" using 2:(\$0 + 1 - 0.25):ytic(1) with points pt 7 ps 0.8 lc rgb "#d62728" title "flag, ordinary indexes", \\
	"" using 3:(\$0 + 1 - 0.15) with points pt 7 ps 0.8 lc rgb "#ff7f0e" title "flag, live_indexes", \\
	"" using 4:(\$0 + 1 - 0.05) with points pt 7 ps 0.8 lc rgb "#2ca02c" title "flag, live_indexes + pack", \\
	"" using 5:(\$0 + 1 + 0.05) with points pt 5 ps 0.8 lc rgb "#17becf" title "boolean, live_indexes + pack", \\
	"" using 6:(\$0 + 1 + 0.15) with points pt 9 ps 0.8 lc rgb "#9467bd" title "archive", \\
	"" using 7:(\$0 + 1 + 0.25) with points pt 9 ps 0.8 lc rgb "#1f77b4" title "archive + pack"
GP
echo "wrote $SVG"
