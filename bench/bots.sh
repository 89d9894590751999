#!/usr/bin/env bash
# bench/bots.sh -- the Barcelona OpenMP Tasks Suite (bsc-pm/bots) built
# unchanged and run on three OpenMP runtimes:
#
#   ws-omp   the clang-19 -fopenmp binaries, run with libws-omp preloaded
#            (LD_PRELOAD: its __kmpc_*/omp_* definitions win, libomp is
#            loaded but never called)
#   libomp   the same binaries as they are (LLVM's libomp-19)
#   libgomp  the same sources built with gcc -fopenmp (GCC's own interface)
#
# 1. Verification: every app at each --threads count (default 1,2,3,8) with
#    BOTS's own check (-c) on a small input; the cell is ok, FAIL (the app's
#    check failed), sigN / exitN (crashed), timeout (past --timeout) or - (not
#    built).
# 2. Timing: --runs runs (default 5) at --time-threads (default 2) of each
#    app on a larger input, alternating the runtimes run by run; the median
#    of BOTS's "Time Program", the ratios libomp/ws-omp and libgomp/ws-omp
#    (above 1: ws-omp is faster) and their geometric mean over the apps that
#    verified with both runtimes.
#
# BOTS is GPL code of its own: it is never copied into this repository.  The
# script exports it into --work (default /tmp/ws-bots) from --src: a BOTS
# checkout, or the git directory of one (the default, $BOTS_SRC, else the
# mirror that the session's fetch tool keeps in /work/.mirror; elsewhere:
# git clone https://github.com/bsc-pm/bots).
#
# Usage: bench/bots.sh [--src DIR] [--work DIR] [--lib DIR] [--threads LIST]
#          [--time-threads N] [--runs N] [--apps LIST] [--timeout S]
#          [--no-verify] [--no-time] [--no-gcc] [--no-build] [--list]
# --list prints the apps' table (name, binary pattern, verification and
# timing arguments, @ for a blank) and exits: bench/bots_ab.sh reads it.
# Needs clang-19 with libomp-19-dev, gcc, make (scripts/setup.sh with
# WS_SETUP_BENCH=1) and a build of libws-omp (default: build/lib).
# The table goes to stdout and, as Markdown, to WORK/bots.md.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
src=${BOTS_SRC:-/work/.mirror/bsc-pm+bots/repo}
work=/tmp/ws-bots
lib=$here/build/lib
threads=1,2,3,8
tthreads=2
runs=5
apps=""
timeout_s=120
verify=1 timing=1 gcc=1 build=1 list=0
cmdline="$*"
while [ $# -gt 0 ]; do
  case $1 in
  --src) src=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --lib) lib=$2; shift 2 ;;
  --threads) threads=$2; shift 2 ;;
  --time-threads) tthreads=$2; shift 2 ;;
  --runs) runs=$2; shift 2 ;;
  --apps) apps=$2; shift 2 ;;
  --timeout) timeout_s=$2; shift 2 ;;
  --no-verify) verify=0; shift ;;
  --no-time) timing=0; shift ;;
  --no-gcc) gcc=0; shift ;;
  --no-build) build=0; shift ;;
  --list) list=1; shift ;;
  -h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
  *) echo "bots.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $work in
"$here" | "$here"/*)
  echo "bots.sh: --work must be outside the repository (BOTS is not ours)" >&2
  exit 2 ;;
esac
if [ "$list" = 0 ]; then
  if [ ! -e "$lib/libws-omp.so" ]; then
    echo "bots.sh: no $lib/libws-omp.so: build ws first (or pass --lib)" >&2
    exit 2
  fi
  lib=$(cd "$lib" && pwd)
fi

# The apps: name, BOTS binary (without its compiler label), the
# verification input, the timing input.  Variants: the default (untied
# tasks), and the tied ones where they matter -- floorplan's default crashes
# with libomp and libws-omp alike, and nqueens-tied counts solutions in a
# threadprivate variable from its tasks.
app_table=(
  "alignment-for    alignment.%s.for-omp-tasks      -f@inputs/alignment/prot.20.aa   -f@inputs/alignment/prot.20.aa"
  "alignment-single alignment.%s.single-omp-tasks   -f@inputs/alignment/prot.20.aa   -f@inputs/alignment/prot.20.aa"
  "concom           concom.%s.omp-tasks             -                                -"
  "fft              fft.%s.omp-tasks                -n@1048576                       -n@4194304"
  "fib              fib.%s.omp-tasks                -n@30                            -n@32"
  "floorplan        floorplan.%s.omp-tasks          -f@inputs/floorplan/input.5      -f@inputs/floorplan/input.5"
  "floorplan-tied   floorplan.%s.omp-tasks-tied     -f@inputs/floorplan/input.5      -f@inputs/floorplan/input.15"
  "health           health.%s.omp-tasks             -f@inputs/health/test.input      -f@inputs/health/small.input"
  "knapsack         knapsack.%s.omp-tasks           -f@inputs/knapsack/knapsack-016.input -f@inputs/knapsack/knapsack-032.input"
  "nqueens          nqueens.%s.omp-tasks            -n@10                            -n@12"
  "nqueens-tied     nqueens.%s.omp-tasks-tied       -n@10                            -n@12"
  "sort             sort.%s.omp-tasks               -n@4194304                       -n@8388608"
  "sparselu-for     sparselu.%s.for-omp-tasks       -n@25@-m@25                      -n@50@-m@50"
  "sparselu-single  sparselu.%s.single-omp-tasks    -n@25@-m@25                      -n@50@-m@50"
  "strassen         strassen.%s.omp-tasks           -n@512                           -n@1024"
  "uts              uts.%s.omp-tasks                -f@inputs/uts/test.input         -f@inputs/uts/test.input"
)
if [ "$list" = 1 ]; then
  printf '%s\n' "${app_table[@]}"
  exit 0
fi
# BOTS's directories that hold them (two are missing from its own list).
dirs="fib alignment nqueens sort strassen sparselu fft floorplan health uts
      knapsack concom"

want_app() {
  [ -z "$apps" ] && return 0
  [[ ",$apps," == *",$1,"* ]]
}

# ---- Sources and builds ---------------------------------------------------

export_src() { # DEST
  rm -rf "$1"
  mkdir -p "$1"
  if [ -d "$src/objects" ] && [ -f "$src/HEAD" ]; then
    git --git-dir="$src" archive HEAD | tar -x -C "$1"
  elif [ -d "$src/.git" ]; then
    git -C "$src" archive HEAD | tar -x -C "$1"
  elif [ -f "$src/common/bots_main.c" ]; then
    cp -r "$src"/. "$1"
  else
    echo "bots.sh: no BOTS sources at $src (pass --src or set BOTS_SRC;" \
      "git clone https://github.com/bsc-pm/bots)" >&2
    exit 2
  fi
}

# BOTS's config/make.config, the file its configure script writes.
write_config() { # DIR LABEL CC
  cat >"$1/config/make.config" <<EOF
LABEL=$2
ENABLE_OMPSS=
OMPC=$3 -fopenmp
CC=$3
OMPLINK=$3 -fopenmp
CLINK=$3
OPT_FLAGS=-O3
CC_FLAGS=
OMPC_FLAGS=
OMPC_FINAL_FLAGS=
CLINK_FLAGS=
OMPLINK_FLAGS=
EOF
}

build_with() { # LABEL CC
  local dir=$work/src-$1
  echo "bots.sh: building BOTS with $2 -fopenmp in $dir (logs: $work/logs)" >&2
  export_src "$dir"
  write_config "$dir" "$1" "$2"
  mkdir -p "$dir/bin" "$work/logs"
  make -C "$dir/common" >"$work/logs/$1-common.log" 2>&1
  for d in $dirs; do
    make -k -C "$dir/omp-tasks/$d" >"$work/logs/$1-$d.log" 2>&1 ||
      echo "bots.sh: $1: some of $d did not build (see $work/logs/$1-$d.log)" >&2
  done
}

mkdir -p "$work"
work=$(cd "$work" && pwd)
if [ "$build" = 1 ]; then
  build_with clang clang-19
  [ "$gcc" = 1 ] && build_with gcc gcc
fi

# ---- Running ----------------------------------------------------------------

# run RUNTIME BINARY-PATTERN THREADS ARGS: sets `cell` (ok, FAIL, sigN,
# exitN, timeout, -) and `secs` (BOTS's Time Program, or empty).
run() {
  local rt=$1 pat=$2 th=$3 args=${4//@/ } label=clang pre=()
  [ "$args" = - ] && args=""
  [ "$rt" = libgomp ] && label=gcc
  [ "$rt" = ws-omp ] && pre=(LD_PRELOAD="$lib/libws-omp.so")
  # shellcheck disable=SC2059
  local exe=$work/src-$label/bin/$(printf "$pat" "$label")
  cell=- secs=""
  [ -x "$exe" ] || return 0
  local out status=0
  # BOTS reads its inputs relative to its top directory; a deep task
  # recursion needs big stacks (uts, floorplan).
  # shellcheck disable=SC2086
  out=$(cd "$work/src-$label" && ulimit -s unlimited &&
    env "${pre[@]}" OMP_NUM_THREADS="$th" OMP_STACKSIZE=16M \
      timeout "$timeout_s" "$exe" $args -c 2>&1) || status=$?
  secs=$(sed -n 's/^Time Program *= *\([0-9.]*\).*/\1/p' <<<"$out" | head -1)
  if [ "$status" = 124 ]; then
    cell=timeout secs=""
  elif [ "$status" -gt 128 ]; then
    cell=sig$((status - 128)) secs=""
  elif grep -q "^Verification *= *successful" <<<"$out"; then
    cell=ok
  elif [ "$status" != 0 ]; then
    cell=exit$status secs=""
  else
    cell=FAIL secs=""
  fi
}

runtimes=(ws-omp libomp)
[ "$gcc" = 1 ] && runtimes+=(libgomp)
IFS=, read -r -a thread_list <<<"$threads"
md=$work/bots.md
# The conditions, for the figures' label: when, which tree, how loaded.
cond="$(date -u '+%Y-%m-%d %H:%M UTC'), ws $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "bots.sh: $cond"
echo "Run $cond: bench/bots.sh $cmdline" >"$md"
echo >>"$md"

declare -A verified # app,runtime -> 1 if ok at every thread count
if [ "$verify" = 1 ]; then
  hdr=$(printf "%-17s" app)
  mdh="| app |"
  mds="|---|"
  for th in "${thread_list[@]}"; do
    hdr+=$(printf " | %-23s" "@$th")
    mdh+=" @$th: $(IFS=/; echo "${runtimes[*]}") |"
    mds+="---|"
  done
  echo
  echo "Verification (BOTS -c) at OMP_NUM_THREADS = $threads; each cell:" \
    "$(IFS=/; echo "${runtimes[*]}")"
  echo "$hdr"
  {
    echo "Verification (BOTS \`-c\`) at OMP_NUM_THREADS = $threads:"
    echo
    echo "$mdh"
    echo "$mds"
  } >>"$md"
  for row in "${app_table[@]}"; do
    read -r name pat vin _ <<<"$row"
    want_app "$name" || continue
    line=$(printf "%-17s" "$name")
    mdl="| $name |"
    for rt in "${runtimes[@]}"; do verified[$name,$rt]=1; done
    for th in "${thread_list[@]}"; do
      cells=()
      for rt in "${runtimes[@]}"; do
        run "$rt" "$pat" "$th" "$vin"
        cells+=("$cell")
        [ "$cell" = ok ] || verified[$name,$rt]=0
      done
      line+=$(printf " | %-23s" "$(IFS=/; echo "${cells[*]}")")
      mdl+=" $(IFS=/; echo "${cells[*]}") |"
    done
    echo "$line"
    echo "$mdl" >>"$md"
  done
fi

median() { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }

if [ "$timing" = 1 ]; then
  echo
  echo "Time (s), median of $runs runs at OMP_NUM_THREADS=$tthreads; ratio = runtime / ws-omp (above 1: ws-omp faster)"
  printf "%-17s %9s %9s %9s %8s %8s\n" app ws-omp libomp libgomp libomp/ws gomp/ws
  {
    echo
    echo "Time in seconds, median of $runs runs at OMP_NUM_THREADS=$tthreads" \
      "(ratios: the runtime's time over ws-omp's; above 1, ws-omp is faster):"
    echo
    echo "| app | ws-omp | libomp | libgomp | libomp / ws-omp | libgomp / ws-omp |"
    echo "|---|---|---|---|---|---|"
  } >>"$md"
  lsum=0 ln=0 gsum=0 gn=0
  for row in "${app_table[@]}"; do
    read -r name pat _ tin <<<"$row"
    want_app "$name" || continue
    declare -A times=()
    for rt in "${runtimes[@]}"; do times[$rt]=""; done
    for ((r = 0; r < runs; r++)); do
      for rt in "${runtimes[@]}"; do
        run "$rt" "$pat" "$tthreads" "$tin"
        if [ "$cell" = ok ] && [ -n "$secs" ]; then
          times[$rt]+="$secs "
        else
          times[$rt]+="$cell "
        fi
      done
    done
    declare -A med=()
    for rt in "${runtimes[@]}"; do
      # A runtime that failed once gets its failure, not a time.
      bad=$(tr ' ' '\n' <<<"${times[$rt]}" | grep -v '^[0-9.]*$' | head -1 || true)
      if [ -n "$bad" ]; then
        med[$rt]=$bad
      else
        med[$rt]=$(tr ' ' '\n' <<<"${times[$rt]}" | grep . | median)
      fi
    done
    ratio() { # RUNTIME
      local a=${med[ws-omp]} b=${med[$1]:-}
      if [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]] && awk "BEGIN{exit !($a > 0)}"; then
        awk "BEGIN{printf \"%.2f\", $b / $a}"
      else
        echo "-"
      fi
    }
    rl=$(ratio libomp)
    rg=$(ratio libgomp)
    # The geometric means: apps that verified with both runtimes.
    if [ "$rl" != - ] && [ "${verified[$name,ws-omp]:-1}" = 1 ] &&
      [ "${verified[$name,libomp]:-1}" = 1 ]; then
      lsum=$(awk "BEGIN{print $lsum + log($rl)}") ln=$((ln + 1))
    fi
    if [ "$rg" != - ] && [ "${verified[$name,ws-omp]:-1}" = 1 ] &&
      [ "${verified[$name,libgomp]:-1}" = 1 ]; then
      gsum=$(awk "BEGIN{print $gsum + log($rg)}") gn=$((gn + 1))
    fi
    printf "%-17s %9s %9s %9s %8s %8s\n" "$name" "${med[ws-omp]}" \
      "${med[libomp]}" "${med[libgomp]:--}" "$rl" "$rg"
    echo "| $name | ${med[ws-omp]} | ${med[libomp]} | ${med[libgomp]:--} | $rl | $rg |" >>"$md"
    unset times med
  done
  gl=- gg=-
  [ "$ln" -gt 0 ] && gl=$(awk "BEGIN{printf \"%.2f\", exp($lsum / $ln)}")
  [ "$gn" -gt 0 ] && gg=$(awk "BEGIN{printf \"%.2f\", exp($gsum / $gn)}")
  printf "%-17s %9s %9s %9s %8s %8s\n" "geomean" "" "" "" "$gl" "$gg"
  echo "| geometric mean ($ln / $gn apps) | | | | $gl | $gg |" >>"$md"
fi
end_load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
printf '\nFinished %s, load average %s.\n' "$(date -u '+%H:%M UTC')" \
  "$end_load" >>"$md"
echo
echo "bots.sh: finished, load average $end_load; Markdown table in $md"
