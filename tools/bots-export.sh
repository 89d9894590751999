# tools/bots-export.sh -- sourced by tools/bots-uts.sh and tools/bots-port.sh:
# BOTS (bsc-pm/bots, GPL code of its own, never copied into this repository)
# exported into a scratch directory.

# bots_workdir NAME WORK: WORK emptied, or a new temporary directory (WORK
# empty); prints it.
bots_workdir() {
  if [ -z "$2" ]; then
    mktemp -d "/tmp/ws-$1.XXXXXX"
  else
    rm -rf "$2" && mkdir -p "$2" && echo "$2"
  fi
}

# bots_export NAME SRC PART...: BOTS's PARTs into the current directory,
# from SRC, a BOTS checkout or the git directory of one; exits with a
# message naming NAME when SRC is neither.
bots_export() {
  local name=$1 src=$2 p
  shift 2
  if [ -d "$src/omp-tasks" ]; then
    for p in "$@"; do mkdir -p "$(dirname "$p")" && cp -r "$src/$p" "$p"; done
  elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null; then
    git --git-dir="$src" archive HEAD "$@" | tar -x
  elif git -C "$src" rev-parse --verify -q HEAD >/dev/null; then
    git -C "$src" archive HEAD "$@" | tar -x
  else
    echo "$name: $src is neither a BOTS checkout nor its git directory" >&2
    exit 2
  fi
}

# bots_setup NAME PART...: with the caller's $build, $work and $src: checks
# for $build's wscc (sets $wscc), makes $work (sets it) and goes there, and
# exports BOTS's PARTs.
bots_setup() {
  local name=$1
  shift
  wscc=$build/bin/wscc
  [ -x "$wscc" ] || { echo "$name.sh: no $wscc (build ws first)" >&2; exit 2; }
  work=$(bots_workdir "$name" "$work")
  cd "$work"
  bots_export "$name.sh" "$src" "$@"
  echo "$name: BOTS from $src, working in $work"
}

# bots_usage SCRIPT: the script's header comment, as its --help.
bots_usage() {
  sed -n '2,/^set -e/p' "$1" | sed 's/^# \{0,1\}//; /^set -e/d'
}
