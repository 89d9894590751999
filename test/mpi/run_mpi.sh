#!/usr/bin/env bash
# run_mpi.sh MODE ARGS... -- the libws-mpi tests (test/mpi/CMakeLists.txt).
# Each mpirun is bounded by `timeout`, so a hang fails the test rather than
# stalling CI.  MPIRUN is `mpirun --allow-run-as-root --oversubscribe`.
#
#   kernel NRANKS PROG KERNEL [SIZE]
#       the right result on rank 0, and with WS_STATS=1 every rank ran at
#       least one distributed task (NRANKS > 1) and messages balance
#   local PROG_MPI PROG_LOCAL KERNEL [SIZE]
#       the MPI build run without mpirun and the build without MPI print
#       the same result line
#   mismatch PROG PROG_EXTRA
#       two executables with different task tables: status 1 and the error
#   killed NRANKS PROG RANK
#       rank RANK dies by SIGKILL in its first task: a non-zero status, a
#       message naming the rank and the signal, within the time limit (the
#       tree is big enough for every rank to get tasks long before it ends)
#   exited NRANKS PROG RANK
#       rank RANK calls exit(0) in its first task: the job ends with a
#       non-zero status and a message naming the rank, within the limit
#   status NRANKS PROG STATUS
#       rank 0's main returns STATUS after distributed work: the job ends
#       with exactly that status, every rank that ends by itself ends with
#       it (mpirun ends the others once one returned a non-zero status), and
#       nothing is said of a rank dying
#   plugin NRANKS PROG SERIAL ARGS...
#       PROG (built with `wscc --mpi` from `#pragma ws task distributed`
#       code) prints exactly what SERIAL (the same source without the
#       plugin) prints; NRANKS 0: PROG without mpirun; NRANKS > 1: every
#       rank ran distributed tasks and messages balance
#   wscc WSCC SRC OUT
#       `wscc --mpi` builds a distributed program (SRC checks its result)
#       that runs at 2 ranks
#   trace PROG DIR
#       WS_TRACE=DIR/t.json at 2 ranks: one file per rank, t.rank<r>.json,
#       and the job's merged trace t.json: valid JSON, one process per rank
#       (pid = rank, named "rank R"), task slices from both ranks named
#       by the distributed task's key
#   statsjson PROG DIR
#       WS_STATS=json:DIR/s.json at 2 ranks: s.rank<r>.json per rank, each
#       with an "mpi" member; rank 0's lists both ranks, whose "ran" add up
#       to the "spawned" total and whose messages balance
#   faults CC WSCC SRC SHIM DIR
#       SRC (distributed tasks with firstprivate sections) built with
#       `wscc --mpi`, run without mpirun under test/faults/faultshim.so
#       with allocations failing from the N-th on or every K-th (armed
#       around the kernel): each run prints the serial elision's output
#       (SRC built by CC without the plugin) with status 0, or ends with a non-zero status (no signal) and one
#       `ws-mpi:` line; when every allocation fails (N = 1, 2) the result
#       must be right (the tasks run in place)
#   notjoined PROG ARGS...
#       a program with distributed tasks linked without --wrap=main whose
#       main does not call ws_mpi_init, at 2 ranks: two copies run, and
#       libws-mpi says so exactly once
#   balance NRANKS PROG KERNEL SIZE
#       how work moves between ranks, from the WS_STATS=1 table (run twice):
#       steal answers carry several tasks (tasks received > answers and
#       pushes that carried tasks: a victim that answers with one task only
#       fails), every distributed task ran exactly once (ran = spawned, and
#       the result is right), ranks asked for work ahead, while they still
#       had tasks queued (column "ahead" > 0, with the default
#       WS_MPI_PREFETCH; both timing-dependent, so up to three runs), and
#       with WS_MPI_PREFETCH=0 never did
#   quiet PROG DIR
#       a one-rank job's communication thread never runs while rank 0 runs
#       serial code (nobody to talk to: it sleeps until the end), by
#       /proc/self/task's count of its context switches (PROG quiet) and by
#       its WS_STATS=json: wake-ups (at most the one that ends the job); the
#       same at 2 ranks does count the thread's wake-ups (the probe sees
#       them), and every result is right
#   plain PROG
#       a program without libws-mpi under mpirun at 2 ranks: the
#       "independent copies" line exactly once
set -uo pipefail
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
# Containers (CI) often forbid the cross-process memory copy (CMA) of Open
# MPI's shared-memory transport; plain copies work everywhere.
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
LIMIT=${WS_MPI_TEST_LIMIT:-60}
mode=$1
shift
fail() {
  echo "FAIL: $*"
  exit 1
}
out=$(mktemp)
err=$(mktemp)
# With NRANKS > 1: the per-rank table on stderr ("rank spawned ran ...")
# shows that every rank ran tasks, and the messages balance.
every_rank_ran() {
  local n=$1 r ran
  [ "$n" -gt 1 ] || return 0
  for r in $(seq 0 $((n - 1))); do
    ran=$(awk -v r="$r" '/ws-mpi: per-rank/{t=1;next} t && $1==r {print $3; exit}' "$err")
    [ -n "$ran" ] || fail "no statistics row for rank $r"
    [ "$ran" -gt 0 ] || fail "rank $r ran no distributed task"
  done
  grep -q "ws-mpi: messages sent .* (balanced)" "$err" ||
    fail "messages do not balance"
}
trap 'rm -f "$out" "$err"' EXIT
# The "all" row's value of a column of the per-rank table in $err.
stat_all() {
  awk -v c="$1" '/ws-mpi: per-rank/{h=1;next}
    h==1 {for (i=1;i<=NF;i++) if ($i==c) k=i; h=2; next}
    h==2 && $1=="all" {print $k; exit}' "$err"
}

case $mode in
kernel)
  n=$1 prog=$2 kernel=$3 size=${4:-}
  WS_STATS=1 WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
    "$prog" "$kernel" $size >"$out" 2>"$err"
  rc=$?
  cat "$out"
  grep -A$((n + 2)) "ws-mpi: per-rank" "$err"
  [ $rc = 0 ] || { cat "$err"; fail "mpirun -n $n exited with $rc"; }
  grep -q "^$kernel .* ok$" "$out" || fail "no right result line"
  [ "$(grep -c "^$kernel " "$out")" = 1 ] || fail "result printed more than once"
  every_rank_ran "$n"
  ;;
local)
  mpiprog=$1 localprog=$2 kernel=$3 size=${4:-}
  a=$(WS_NUM_WORKERS=2 timeout "$LIMIT" "$mpiprog" "$kernel" $size) ||
    fail "$mpiprog without mpirun failed"
  b=$(WS_NUM_WORKERS=2 timeout "$LIMIT" "$localprog" "$kernel" $size) ||
    fail "$localprog failed"
  echo "$a"
  echo "$b"
  [[ $a == *" ok" ]] || fail "wrong result without mpirun"
  [ "$a" = "$b" ] || fail "the two builds differ"
  ;;
mismatch)
  prog=$1 extra=$2
  timeout "$LIMIT" "${MPIRUN[@]}" -n 1 "$prog" uts 6 : -n 1 "$extra" uts 6 \
    >"$out" 2>"$err"
  rc=$?
  cat "$err"
  [ $rc = 1 ] || fail "status $rc, expected 1"
  grep -q "ws-mpi: the ranks run different programs" "$err" ||
    fail "no mismatch message"
  grep -q "rank 1: [0-9]* tasks" "$err" || fail "the message does not name rank 1"
  [ ! -s "$out" ] || fail "main ran despite the mismatch"
  ;;
killed)
  n=$1 prog=$2 rank=$3
  start=$(date +%s)
  WS_TEST_DIE=$rank WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
    "$prog" uts 12 >"$out" 2>"$err"
  rc=$?
  cat "$err"
  [ $rc != 124 ] || fail "the job hung (killed by timeout after ${LIMIT}s)"
  [ $rc != 0 ] || fail "status 0 although rank $rank died"
  grep -Eq "rank $rank .*(signal 9|Killed)" "$err" ||
    fail "no message naming rank $rank and its signal"
  echo "status $rc after $(($(date +%s) - start)) s"
  ;;
exited)
  n=$1 prog=$2 rank=$3
  WS_TEST_EXIT=$rank WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
    "$prog" uts 12 >"$out" 2>"$err"
  rc=$?
  cat "$err"
  [ $rc != 124 ] || fail "the job hung (killed by timeout after ${LIMIT}s)"
  [ $rc != 0 ] || fail "status 0 although rank $rank left the job"
  grep -q "ws-mpi: rank $rank called exit(0) before the end of the job" "$err" ||
    fail "no message naming rank $rank"
  ;;
status)
  n=$1 prog=$2 want=$3
  # Each rank's own status, printed by a shell around it (mpirun's alone
  # would hide a rank > 0 that ended with 0).
  WS_STATS=1 WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
    bash -c '"$0" status "$1"; rc=$?; echo "rank $OMPI_COMM_WORLD_RANK ended with $rc"; exit $rc' \
    "$prog" "$want" >"$out" 2>"$err"
  rc=$?
  cat "$out"
  [ $rc = "$want" ] || { cat "$err"; fail "status $rc, expected $want"; }
  # Every rank ends with it, unless mpirun, seeing another rank's non-zero
  # status first, ended it before it could.
  grep -qx "rank [0-9]* ended with $want" "$out" || fail "no rank's status"
  ! grep "ended with" "$out" | grep -vq "ended with $want$" ||
    fail "a rank ended with another status"
  every_rank_ran "$n"
  ! grep -Eiq "called exit|signal|unfinished|exited on" "$err" ||
    { cat "$err"; fail "a rank was reported as lost"; }
  ;;
plugin)
  n=$1 prog=$2 serial=$3
  shift 3
  timeout "$LIMIT" "$serial" "$@" >"$out.want" || fail "the serial build failed"
  if [ "$n" = 0 ]; then
    WS_NUM_WORKERS=2 timeout "$LIMIT" "$prog" "$@" >"$out" 2>"$err"
  else
    WS_STATS=1 WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
      "$prog" "$@" >"$out" 2>"$err"
  fi
  rc=$?
  cat "$out"
  [ $rc = 0 ] || { cat "$err"; rm -f "$out.want"; fail "status $rc"; }
  cmp -s "$out.want" "$out" || {
    diff "$out.want" "$out"
    rm -f "$out.want"
    fail "not the serial elision's output"
  }
  rm -f "$out.want"
  grep -A$((n + 2)) "ws-mpi: per-rank" "$err"
  every_rank_ran "$n"
  ;;
wscc)
  wscc=$1 src=$2 exe=$3
  "$wscc" --mpi -show -O2 "$src" -o "$exe" | grep -q -- "-lws-mpi" ||
    fail "wscc --mpi does not link libws-mpi"
  "$wscc" --mpi -O2 "$src" -o "$exe" || fail "wscc --mpi failed"
  WS_STATS=1 WS_NUM_WORKERS=1 TREE_CHECK=1 timeout "$LIMIT" "${MPIRUN[@]}" \
    -n 2 "$exe" 10 >"$out" 2>"$err"
  rc=$?
  cat "$out"
  [ $rc = 0 ] || { cat "$err"; fail "status $rc"; }
  grep -q "ws-mpi: per-rank statistics (2 ranks)" "$err" ||
    fail "not a 2-rank run"
  ;;
trace)
  prog=$1 dir=$2
  mkdir -p "$dir"
  rm -f "$dir"/t.*json
  WS_TRACE="$dir/t.json" WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" \
    -n 2 "$prog" uts 11 >"$out" 2>"$err"
  rc=$?
  [ $rc = 0 ] || { cat "$err"; fail "status $rc"; }
  ls "$dir"
  for r in 0 1; do
    grep -q '"traceEvents"' "$dir/t.rank$r.json" || fail "no trace of rank $r"
  done
  python3 - "$dir/t.json" <<'PY' || fail "the job's trace t.json is not right"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
names = {e["pid"]: e["args"]["name"] for e in ev if e["name"] == "process_name"}
assert names == {0: "rank 0 (1 workers)", 1: "rank 1 (1 workers)"}, names
# Task slices on both ranks, named by the distributed task's key
# ("file:line:function"), not by the libws task that stands for it.
for r in (0, 1):
    assert any(e["pid"] == r and e.get("cat") == "task" and
               e["name"].endswith(":uts_task") for e in ev), r
assert d["otherData"]["ranks"] == 2
print("t.json:", len(ev), "events, processes", names)
PY
  ;;
balance)
  n=$1 prog=$2 kernel=$3 size=$4
  # One job and its checks; prints why it fails (status 1).  Whether a
  # rank asks ahead and whether an answer carries several tasks depend on
  # timing (a comm thread that runs late finds the queue already dry): the
  # default setting gets three tries, on a machine loaded by CI.
  balance_run() {
    WS_STATS=1 WS_NUM_WORKERS=1 timeout "$LIMIT" "${MPIRUN[@]}" -n "$n" \
      "$prog" "$kernel" "$size" >"$out" 2>"$err"
    rc=$?
    cat "$out"
    grep -A$((n + 2)) "ws-mpi: per-rank" "$err"
    [ $rc = 0 ] || { cat "$err"; fail "mpirun -n $n exited with $rc"; }
    grep -q "^$kernel .* ok$" "$out" || fail "no right result line"
    every_rank_ran "$n"
    spawned=$(stat_all spawned) ran=$(stat_all ran)
    received=$(stat_all received) served=$(stat_all served)
    pushes=$(stat_all ll_push) asked=$(stat_all ahead)
    [ -n "$spawned" ] && [ -n "$asked" ] || fail "no statistics table"
    [ "$ran" = "$spawned" ] || fail "$ran tasks ran, $spawned spawned"
    if [ "${WS_MPI_PREFETCH:-}" = 0 ]; then
      [ "$asked" = 0 ] || fail "WS_MPI_PREFETCH=0, yet $asked requests ahead"
      return 0
    fi
    [ "$served" -gt 0 ] || { echo "no steal request answered with tasks"; return 1; }
    [ "$received" -gt $((served + pushes)) ] ||
      { echo "$received tasks in $served answers and $pushes pushes: one at a time"; return 1; }
    [ "$asked" -gt 0 ] || { echo "no rank asked for work ahead"; return 1; }
  }
  ok=0
  for try in 1 2 3; do
    if balance_run; then ok=1; break; fi
  done
  [ $ok = 1 ] || fail "three runs in a row (above)"
  WS_MPI_PREFETCH=0 balance_run
  ;;
statsjson)
  prog=$1 dir=$2
  mkdir -p "$dir"
  rm -f "$dir"/s.*json
  WS_STATS="json:$dir/s.json" WS_NUM_WORKERS=1 timeout "$LIMIT" \
    "${MPIRUN[@]}" -n 2 "$prog" uts 11 >"$out" 2>"$err"
  rc=$?
  [ $rc = 0 ] || { cat "$err"; fail "status $rc"; }
  ls "$dir"
  [ ! -e "$dir/s.json" ] || fail "a rank wrote the shared name"
  python3 - "$dir" <<'PY' || fail "the statistics files are not right"
import json, sys
d = [json.load(open("%s/s.rank%d.json" % (sys.argv[1], r))) for r in (0, 1)]
for r in (0, 1):
    m = d[r]["mpi"]
    assert m["rank"] == r and m["ranks"] == 2 and m["self"]["rank"] == r, m
all_ = d[0]["mpi"]["all"]
assert [a["rank"] for a in all_] == [0, 1], all_
assert "all" not in d[1]["mpi"]
assert all_[1] == d[1]["mpi"]["self"], (all_[1], d[1]["mpi"]["self"])
tot = lambda k: sum(a[k] for a in all_)
assert tot("ran") == tot("spawned") > 0, (tot("ran"), tot("spawned"))
assert tot("msgs_sent") == tot("msgs_received"), all_
assert all_[1]["ran"] > 0, all_
# The communication threads slept and woke (they never spin).
assert all(a["comm_wakeups"] > 0 for a in all_), all_
print("ranks ran", [a["ran"] for a in all_], "of", tot("spawned"))
PY
  ;;
quiet)
  prog=$1 dir=$2
  mkdir -p "$dir"
  rm -f "$dir"/q.*json
  for n in 1 2; do
    WS_STATS="json:$dir/q.json" WS_NUM_WORKERS=1 timeout "$LIMIT" \
      "${MPIRUN[@]}" -n $n "$prog" quiet 6 >"$out" 2>"$err"
    rc=$?
    cat "$out"
    [ $rc = 0 ] || { cat "$err"; fail "mpirun -n $n exited with $rc"; }
    grep -q "^quiet .* ok$" "$out" || fail "no right result line at $n ranks"
    sw=$(sed -n 's/^comm thread switches \(-*[0-9]*\) .*/\1/p' "$out")
    [ -n "$sw" ] && [ "$sw" -ge 0 ] || fail "no communication thread found"
    if [ $n = 1 ]; then
      [ "$sw" = 0 ] || fail "one rank: the communication thread ran $sw times during serial code"
      python3 - "$dir/q.json" <<'PY' || fail "one rank: the communication thread woke"
import json, sys
m = json.load(open(sys.argv[1]))["mpi"]
assert m["ranks"] == 1, m
w = m["self"]["comm_wakeups"]
print("one rank: comm_wakeups", w)
assert w <= 1, "woke %d times (only the end of the job may wake it)" % w
PY
    else
      # Two ranks poll (up to 1 ms sleeps): the probe must see it.
      [ "$sw" -gt 10 ] || fail "two ranks: the probe saw only $sw switches"
    fi
  done
  ;;
faults)
  cc=$1 wscc=$2 src=$3 shim=$4 dir=$5
  mkdir -p "$dir"
  "$wscc" --mpi -O2 -Wall -Wextra -Werror "$src" -o "$dir/prog" -ldl ||
    fail "wscc --mpi failed"
  "$cc" -O2 -Wno-unknown-pragmas "$src" -o "$dir/serial" -ldl ||
    fail "the serial build failed"
  want=$("$dir/serial") || fail "the serial build's run failed"
  echo "serial: $want"
  for rule in FROM=1 FROM=2 FROM=3 FROM=5 FROM=9 FROM=20 FROM=60 EVERY=2 \
    EVERY=3 EVERY=7; do
    for nw in 1 3; do
      env LD_PRELOAD="$shim" WS_FAULT_ARM=call "WS_FAULT_ALLOC_$rule" \
        WS_NUM_WORKERS=$nw timeout "$LIMIT" "$dir/prog" >"$out" 2>"$err"
      rc=$?
      got=$(cat "$out")
      if [ $rc = 0 ] && [ "$got" = "$want" ] && ! grep -qv '^ws' "$err"; then
        echo "$rule workers $nw: ok$([ -s "$err" ] && echo "+msg: $(head -1 "$err")")"
      elif [ $rc != 0 ] && [ $rc -lt 124 ] && [ "$(wc -l <"$err")" = 1 ] &&
        grep -q '^ws-mpi: ' "$err" && [[ $rule != FROM=[12] ]]; then
        echo "$rule workers $nw: exit $rc: $(cat "$err")"
      else
        cat "$out" "$err"
        fail "$rule workers $nw: status $rc, not the right result or one clear line"
      fi
    done
  done
  ;;
notjoined)
  prog=$1
  shift
  timeout "$LIMIT" "${MPIRUN[@]}" -n 2 "$prog" "$@" >"$out" 2>"$err"
  rc=$?
  cat "$out" "$err"
  [ $rc = 0 ] || fail "status $rc"
  [ "$(grep -c "spawned before ws_mpi_init: the 2 processes run as independent copies" "$err")" = 1 ] ||
    fail "the not-joined line is not there exactly once"
  ;;
plain)
  prog=$1
  timeout "$LIMIT" "${MPIRUN[@]}" -n 2 "$prog" >"$out" 2>"$err"
  rc=$?
  cat "$out" "$err"
  [ $rc = 0 ] || fail "status $rc"
  [ "$(grep -c "^plain 100$" "$out")" = 2 ] || fail "expected two copies' output"
  [ "$(grep -c "run as independent copies" "$err")" = 1 ] ||
    fail "the independent-copies line is not there exactly once"
  ;;
*)
  fail "unknown mode $mode"
  ;;
esac
echo PASS
