#!/usr/bin/env bash
# install_test.sh MODE -- ws used from an installed tree, as a user would
# (issue 17).  Variables (set by test/install/CMakeLists.txt):
#   WS_BUILD WS_SRC   the build and source trees (nothing installed may name
#                     them)
#   WS_WORK           scratch directory of these tests
#   WS_CLANG WS_GCC   clang-19 and gcc
#   WS_CMAKE WS_CPACK WS_GENERATOR  for the consumer projects and the packages
# Modes:
#   tree       cmake --install into a prefix, then move the whole prefix
#              elsewhere (the fixture of the modes below); every file is there
#              and none names the build or source tree
#   wscc       the moved wscc builds an annotated program whose tasks run on
#              several workers (WS_NUM_WORKERS 2..4), linked with the moved
#              libws; also wscc through a link, wscc -save-temps, plain clang
#              with the moved plugin and no -I (ws.h found beside the
#              plugin), ws-rewrite + gcc (likewise) and ws-stats on the
#              program's statistics
#   pkgconfig  clang-19 with `pkg-config --cflags/--libs ws-pragmas` only
#   cmake      the consumer project of docs/guide.md (test/install/consumer,
#              find_package(ws) + ws::pragmas) configures, builds and runs;
#              so does its variant with wscc as the compiler and ws::ws
#   cmake-gcc  the same project with gcc as the C compiler fails at configure
#              time saying what to do; a ws::ws-only project with gcc builds
#   man        the manual pages are installed and groff renders them without
#              a warning
#   deb        cpack -G DEB: the packages' dependencies are right; unpacked
#              into a scratch root (dpkg -x), their wscc builds and runs
#              examples/fib.c
set -euo pipefail
mode=$1
prefix=$WS_WORK/prefix # the installed tree, after the move
consumer_src=$WS_SRC/test/install/consumer

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run_parallel PROGRAM: the consumer program at 2, 3 and 4 workers (it checks
# its result and that tasks ran on more than one worker, with steals).
run_parallel() {
  for w in 2 3 4; do
    WS_NUM_WORKERS=$w timeout 60 "$1" || fail "$1 at WS_NUM_WORKERS=$w"
  done
}

# ok_run FIB: examples/fib.c's program at 3 workers prints its check "[ok]".
ok_run() {
  local got
  got=$(WS_NUM_WORKERS=3 timeout 60 "$1" 25) || return 1
  echo "$got"
  [[ "$got" == *"[ok]"* ]]
}

# libws_of PROGRAM: the libws.so the loader picks for PROGRAM.
libws_of() {
  ldd "$1" | awk '$1 ~ /^libws\.so/ { print $3 }'
}

case "$mode" in
tree)
  rm -rf "$WS_WORK/staged" "$prefix"
  mkdir -p "$WS_WORK"
  "$WS_CMAKE" --install "$WS_BUILD" --prefix "$WS_WORK/staged" >/dev/null
  mv "$WS_WORK/staged" "$prefix"
  for f in bin/wscc bin/ws-rewrite bin/ws-stats lib/ws/ws-plugin.so \
    include/ws.h lib/libws.so lib/libws.a lib/cmake/ws/wsConfig.cmake \
    lib/cmake/ws/wsTargets.cmake lib/pkgconfig/ws.pc \
    lib/pkgconfig/ws-pragmas.pc share/man/man1/wscc.1 \
    share/man/man1/ws-rewrite.1 share/man/man1/ws-stats.1; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
  done
  for x in bin/wscc bin/ws-rewrite bin/ws-stats; do
    [ -x "$prefix/$x" ] || fail "not executable: $x"
  done
  # Relocatable: no installed file, text or binary, names the build tree,
  # the source tree or the prefix it was installed to.
  for tree in "$WS_BUILD" "$WS_SRC" "$WS_WORK/staged"; do
    if grep -rlF "$tree" "$prefix"; then
      fail "the installed files above name $tree"
    fi
  done
  echo "installed into $WS_WORK/staged, moved to $prefix: complete, no" \
    "build-tree path"
  ;;

wscc)
  out=$WS_WORK/wscc
  rm -rf "$out"
  mkdir -p "$out/link"
  "$prefix/bin/wscc" -O2 -Wall -Wextra -Werror "$consumer_src/main.c" \
    -o "$out/fib_tasks"
  [ "$(libws_of "$out/fib_tasks")" = "$prefix/lib/libws.so.0" ] ||
    fail "fib_tasks does not load the moved libws: $(libws_of "$out/fib_tasks")"
  run_parallel "$out/fib_tasks"

  # Through a symbolic link elsewhere, wscc still finds its own tree.
  ln -s "$prefix/bin/wscc" "$out/link/wscc"
  show=$("$out/link/wscc" -show -O2 "$consumer_src/main.c")
  for want in "-fplugin=$prefix/lib/ws/ws-plugin.so" "-I$prefix/include" \
    "-L$prefix/lib"; do
    case " $show " in
    *" $want "*) ;;
    *) fail "wscc -show through a link lacks $want: $show" ;;
    esac
  done

  # Plain clang with the moved plugin and no -I: fib.c does not include
  # ws.h, so the rewrite includes the one beside the plugin.
  "$WS_CLANG" -fplugin="$prefix/lib/ws/ws-plugin.so" -O2 \
    "$WS_SRC/examples/fib.c" -o "$out/fib" -L"$prefix/lib" \
    -Wl,-rpath,"$prefix/lib" -lws -pthread
  ok_run "$out/fib" || fail "clang -fplugin (moved), no -I: fib"
  # -save-temps through the moved wscc (the preprocessed file gets ws.h).
  (cd "$out" && "$prefix/bin/wscc" -save-temps -O2 "$WS_SRC/examples/fib.c" \
    -o fib_temps)
  ok_run "$out/fib_temps" || fail "wscc -save-temps: fib"

  # ws-rewrite's output falls back to the moved ws.h, so gcc builds it
  # without -I.
  "$prefix/bin/ws-rewrite" "$WS_SRC/examples/fib.c" -- -std=gnu11 \
    >"$out/fib.rewritten.c"
  grep -qF "#include \"$prefix/include/ws.h\"" "$out/fib.rewritten.c" ||
    fail "ws-rewrite's fallback include is not the moved ws.h"
  if [ -n "${WS_GCC:-}" ]; then
    "$WS_GCC" -std=gnu11 -O2 "$out/fib.rewritten.c" -o "$out/fib_gcc" \
      -L"$prefix/lib" -Wl,-rpath,"$prefix/lib" -lws -pthread
    ok_run "$out/fib_gcc" || fail "ws-rewrite + gcc fib"
  fi

  # ws-stats of the moved tree reads the program's statistics.
  WS_NUM_WORKERS=3 WS_STATS="json:$out/stats.json" "$out/fib_tasks" >/dev/null
  "$prefix/bin/ws-stats" "$out/stats.json" >"$out/stats.txt"
  [ "$(grep -cE '^ *[0-9]+ ' "$out/stats.txt")" -ge 3 ] ||
    fail "ws-stats shows no row per worker: $(cat "$out/stats.txt")"
  echo "moved wscc, plugin, ws-rewrite and ws-stats work; tasks ran in parallel"
  ;;

pkgconfig)
  out=$WS_WORK/pkgconfig
  rm -rf "$out"
  mkdir -p "$out"
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  cflags=$(pkg-config --cflags ws-pragmas)
  libs=$(pkg-config --libs ws-pragmas)
  libdir=$(pkg-config --variable=libdir ws)
  [ "$(pkg-config --modversion ws-pragmas)" = "$(pkg-config --modversion ws)" ] ||
    fail "ws-pragmas and ws differ in version"
  plugin=$(pkg-config --variable=plugin ws-pragmas)
  [ "$(realpath "$plugin")" = "$prefix/lib/ws/ws-plugin.so" ] ||
    fail "ws-pragmas' plugin is $plugin"
  case " $cflags " in
  *" -fplugin=$plugin "*) ;;
  *) fail "pkg-config --cflags ws-pragmas lacks -fplugin: $cflags" ;;
  esac
  echo "pkg-config --cflags ws-pragmas: $cflags"
  echo "pkg-config --libs ws-pragmas:   $libs"
  # shellcheck disable=SC2086 # word splitting of pkg-config output wanted
  "$WS_CLANG" $cflags -O2 -Wall -Werror "$consumer_src/main.c" \
    -o "$out/fib_tasks" $libs -Wl,-rpath,"$libdir"
  run_parallel "$out/fib_tasks"
  ;;

cmake)
  out=$WS_WORK/cmake
  rm -rf "$out" "$out-wscc"
  # The guide shows this very project.
  python3 - "$WS_SRC/docs/guide.md" "$consumer_src/CMakeLists.txt" <<'PY' ||
import sys
guide, lists = (open(p).read() for p in sys.argv[1:3])
sys.exit(0 if "```cmake\n" + lists + "```\n" in guide else 1)
PY
    fail "docs/guide.md does not show test/install/consumer/CMakeLists.txt"
  "$WS_CMAKE" -S "$consumer_src" -B "$out" -G "$WS_GENERATOR" \
    -DCMAKE_C_COMPILER="$WS_CLANG" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$out.log" 2>&1 ||
    fail "configure: $(cat "$out.log")"
  "$WS_CMAKE" --build "$out" -v >>"$out.log" 2>&1 ||
    fail "build: $(cat "$out.log")"
  grep -qF -- "-fplugin=$prefix/lib/ws/ws-plugin.so" "$out.log" ||
    fail "the compile did not load the installed plugin: $(cat "$out.log")"
  run_parallel "$out/fib_tasks"
  # The other route the guide names: wscc as the C compiler, ws::ws linked.
  mkdir -p "$out-wscc/src"
  cp "$consumer_src/main.c" "$out-wscc/src/"
  sed 's/ws::pragmas/ws::ws/' "$consumer_src/CMakeLists.txt" \
    >"$out-wscc/src/CMakeLists.txt"
  "$WS_CMAKE" -S "$out-wscc/src" -B "$out-wscc/build" -G "$WS_GENERATOR" \
    -DCMAKE_C_COMPILER="$prefix/bin/wscc" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$out-wscc.log" 2>&1 || fail "configure with wscc: $(cat "$out-wscc.log")"
  "$WS_CMAKE" --build "$out-wscc/build" >>"$out-wscc.log" 2>&1 ||
    fail "build with wscc: $(cat "$out-wscc.log")"
  run_parallel "$out-wscc/build/fib_tasks"
  ;;

cmake-gcc)
  out=$WS_WORK/cmake-gcc
  rm -rf "$out" "$out-api"
  [ -n "${WS_GCC:-}" ] || fail "needs gcc (scripts/setup.sh installs it)"
  if "$WS_CMAKE" -S "$consumer_src" -B "$out" -G "$WS_GENERATOR" \
    -DCMAKE_C_COMPILER="$WS_GCC" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$out.log" 2>&1; then
    fail "configuring ws::pragmas with gcc succeeded"
  fi
  msg=$(tr -s ' \n' ' ' <"$out.log")
  for want in "ws::pragmas (linked by fib_tasks) needs Clang 19 as the C compiler" \
    "GNU" "-DCMAKE_C_COMPILER=clang-19" "wscc" "ws-rewrite"; do
    case "$msg" in
    *"$want"*) ;;
    *) fail "the configure error lacks \"$want\": $(cat "$out.log")" ;;
    esac
  done
  echo "gcc + ws::pragmas fails at configure time:"
  grep -A8 "CMake Error" "$out.log"
  # Without ws::pragmas, gcc is fine: ws::ws alone, the API by hand.
  mkdir -p "$out-api/src"
  cat >"$out-api/src/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(api LANGUAGES C)
find_package(ws REQUIRED)
add_executable(api api.c)
target_link_libraries(api PRIVATE ws::ws)
CM
  cat >"$out-api/src/api.c" <<'C'
#include <stdio.h>
#include <ws.h>
static void add(void *p) { __atomic_fetch_add(*(int **)p, 1, __ATOMIC_RELAXED); }
int main(void) {
  int n = 0, *np = &n;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 100; i++)
    ws_spawn(&f, add, &np, sizeof np, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  printf("%d\n", n);
  return n != 100;
}
C
  "$WS_CMAKE" -S "$out-api/src" -B "$out-api/build" -G "$WS_GENERATOR" \
    -DCMAKE_C_COMPILER="$WS_GCC" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$out-api.log" 2>&1 || fail "ws::ws with gcc: $(cat "$out-api.log")"
  "$WS_CMAKE" --build "$out-api/build" >>"$out-api.log" 2>&1 ||
    fail "ws::ws with gcc: $(cat "$out-api.log")"
  [ "$(WS_NUM_WORKERS=2 "$out-api/build/api")" = 100 ] || fail "api program"
  ;;

man)
  for page in wscc ws-rewrite ws-stats; do
    f=$prefix/share/man/man1/$page.1
    warnings=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
    [ -z "$warnings" ] || fail "groff warns on $page.1: $warnings"
    text=$(groff -man -Tutf8 -P-cbou "$f" 2>/dev/null)
    for want in NAME SYNOPSIS DESCRIPTION "SEE ALSO" "$page" \
      "ws $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion ws)"; do
      grep -qF -- "$want" <<<"$text" || fail "$page.1 renders without $want"
    done
  done
  echo "wscc.1, ws-rewrite.1, ws-stats.1 installed; groff renders them cleanly"
  ;;

deb)
  out=$WS_WORK/deb
  rm -rf "$out"
  mkdir -p "$out/root"
  "$WS_CPACK" -G DEB --config "$WS_BUILD/CPackConfig.cmake" -B "$out" \
    >"$out.log" 2>&1 || fail "cpack: $(cat "$out.log")"
  debs=("$out"/*.deb)
  [ "${#debs[@]}" = 3 ] || fail "expected 3 packages: ${debs[*]}"
  field() { dpkg-deb -f "$out/$1"_*.deb "$2"; }
  has() { [[ "$(field "$1" Depends)" =~ $2 ]]; }
  echo "libws0:    $(field libws0 Depends)"
  echo "libws-dev: $(field libws-dev Depends)"
  echo "ws-tools:  $(field ws-tools Depends)"
  has libws0 'libffi[0-9]' || fail "libws0 does not depend on libffi"
  has libws-dev 'libws0 \(= ' || fail "libws-dev does not depend on libws0"
  has libws-dev 'libffi-dev' || fail "libws-dev does not depend on libffi-dev"
  for p in libws0 libws-dev; do
    ! has $p 'clang|llvm' || fail "$p depends on Clang/LLVM"
  done
  has ws-tools '(^|, )clang-19($|,| )' || fail "ws-tools lacks clang-19"
  has ws-tools 'libws-dev \(= ' || fail "ws-tools lacks libws-dev"
  [[ "$(dpkg-deb -c "$out"/ws-tools_*.deb)" == *" ./usr/lib/ws/ws-plugin.so"* ]] ||
    fail "ws-tools has no plugin"
  for p in libws0 libws-dev; do
    [[ ! "$(dpkg-deb -c "$out/$p"_*.deb)" =~ ws-plugin|wscc|ws-rewrite ]] ||
      fail "$p holds a tool"
  done
  for d in "${debs[@]}"; do
    dpkg -x "$d" "$out/root"
  done
  "$out/root/usr/bin/wscc" -O2 "$WS_SRC/examples/fib.c" -o "$out/fib"
  [ "$(libws_of "$out/fib")" = "$out/root/usr/lib/libws.so.0" ] ||
    fail "fib does not load the packaged libws"
  ok_run "$out/fib" || fail "fib from the packages"
  ;;

*)
  fail "unknown mode $mode"
  ;;
esac
