#!/usr/bin/env bash
# bench/bots_ab.sh -- alternated A/B timing of BOTS apps on libomp and one or
# more libws-omp builds: the same clang-19 -fopenmp binaries bench/bots.sh
# built (run it first, or with --no-time), each app run once per runtime per
# round, the order reversed every other round, for --rounds rounds.  For
# each app and runtime: the median and least time (BOTS's "Time Program"),
# and the median over the rounds of libomp's time divided by this runtime's
# in the same round (above 1: faster than libomp) -- a paired ratio, which
# load changing during the run moves less than a ratio of medians.
#
# Usage: bench/bots_ab.sh [--work DIR] [--rounds N] [--threads N]
#          [--apps LIST] LABEL=LIBDIR [LABEL=LIBDIR ...]
# LIBDIR holds a libws-omp.so (a build's lib/, e.g. build/lib); --work is
# bench/bots.sh's (default /tmp/ws-bots); --apps defaults to the apps whose
# ratio to libomp is closest to 1 (alignment-for, alignment-single,
# sparselu-for, sparselu-single, sort, strassen).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=/tmp/ws-bots
rounds=9
threads=2
apps=alignment-for,alignment-single,sparselu-for,sparselu-single,sort,strassen
libs=()
while [ $# -gt 0 ]; do
  case $1 in
  --work) work=$2; shift 2 ;;
  --rounds) rounds=$2; shift 2 ;;
  --threads) threads=$2; shift 2 ;;
  --apps) apps=$2; shift 2 ;;
  -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
  -*) echo "bots_ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  *=*) libs+=("$1"); shift ;;
  *) echo "bots_ab.sh: expected LABEL=LIBDIR, got $1" >&2; exit 2 ;;
  esac
done
if [ ${#libs[@]} -eq 0 ]; then
  echo "bots_ab.sh: name at least one libws-omp build (LABEL=LIBDIR)" >&2
  exit 2
fi
# Each runtime: a label and what to preload ("" for libomp itself).
labels=(libomp) preloads=("")
for l in "${libs[@]}"; do
  dir=${l#*=}
  if [ ! -e "$dir/libws-omp.so" ]; then
    echo "bots_ab.sh: no $dir/libws-omp.so" >&2
    exit 2
  fi
  labels+=("${l%%=*}")
  preloads+=("$(cd "$dir" && pwd)/libws-omp.so")
done
bin=$work/src-clang/bin
if [ ! -d "$bin" ]; then
  echo "bots_ab.sh: no BOTS binaries in $bin: run bench/bots.sh first" >&2
  exit 2
fi

echo "bots_ab.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), ws $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$rounds rounds at OMP_NUM_THREADS=$threads; paired = median over rounds of libomp's time / this runtime's"
printf "%-17s %-10s %10s %10s %8s\n" app runtime median least paired
while read -r name pat _ tin; do
  [[ ",$apps," == *",$name,"* ]] || continue
  # shellcheck disable=SC2059
  exe=$bin/$(printf "$pat" clang)
  args=${tin//@/ }
  [ "$args" = - ] && args=""
  times=$(
    cd "$work/src-clang"
    ulimit -s unlimited
    n=${#labels[@]}
    for ((r = 0; r < rounds; r++)); do
      for ((k = 0; k < n; k++)); do
        i=$k
        ((r % 2)) && i=$((n - 1 - k))
        pre=()
        [ -n "${preloads[$i]}" ] && pre=(LD_PRELOAD="${preloads[$i]}")
        # shellcheck disable=SC2086
        t=$(env "${pre[@]}" OMP_NUM_THREADS="$threads" OMP_STACKSIZE=16M \
          "$exe" $args 2>&1 | sed -n 's/^Time Program *= *\([0-9.]*\).*/\1/p' |
          head -1)
        echo "$r ${labels[$i]} ${t:-fail}"
      done
    done
  )
  # Per runtime: median, least, and the median of the per-round ratios.
  awk -v name="$name" -v order="${labels[*]}" '
    { t[$1, $2] = $3; rs[$1] = 1 }
    function med(a, n,   i, j, x) {
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      nl = split(order, L, " ")
      for (k = 1; k <= nl; k++) {
        n = 0; m = 0; least = ""
        for (r in rs) {
          x = t[r, L[k]]; b = t[r, "libomp"]
          if (x !~ /^[0-9.]+$/) { x = "fail"; continue }
          v[++n] = x + 0
          if (least == "" || x + 0 < least) least = x + 0
          if (b ~ /^[0-9.]+$/ && x > 0) q[++m] = b / x
        }
        if (n == 0) { printf "%-17s %-10s %10s %10s %8s\n", name, L[k], "fail", "-", "-"; continue }
        printf "%-17s %-10s %10.4f %10.4f %8.3f\n", name, L[k], med(v, n), least, m ? med(q, m) : 0
        delete v; delete q
      }
    }' <<<"$times"
done < <("$here/bench/bots.sh" --list)
