# Shared by bench/run, bench/scale and bench/soak (sourced): ports, servers, wrk load,
# medians and the machine line of a results file. Expects $here (bench/),
# $runs and $duration, and appends each started server's pid to $pids.

# A port that was free a moment ago.
free_port() { python3 - 2>/dev/null <<'PY' || shuf -i 20000-60000 -n 1
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}

# Starts a server command that prints "listening on http://ADDR:PORT"; sets $started_pid.
start_server() {
  local log="$1"; shift
  "$@" >"$log" 2>"$log.err" &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 1 200); do
    grep -q "listening on" "$log" 2>/dev/null && return 0
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${0##*/}: server did not start: $*" >&2; cat "$log.err" >&2; exit 1
}

json_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"; }
# The wall-clock seconds a command takes, to the millisecond (its output dropped).
seconds() { local TIMEFORMAT=%3R; { time "$@" >/dev/null 2>&1; } 2>&1; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else print a[int((NR+1)/2)]}'; }

# One wrk run over a query list: "rps p50 p99 failures".
load_once() {
  local url="$1" list="$2" route="$3" extra="$4" clients="$5"
  local out
  out="$(wrk -t$(( clients < 2 ? 1 : 2 )) -c"$clients" -d"${duration}s" -s "$here/lua/queries.lua" \
         "$url" -- "$list" "$route" "$extra" | grep '^{')"
  echo "$(json_field "$out" rps) $(json_field "$out" p50_ms) $(json_field "$out" p99_ms)" \
       "$(( $(json_field "$out" errors) + $(json_field "$out" non_2xx) ))"
}

# Lines "rps p50 p99 failures" on stdin: the median of each figure, failures summed.
medians() {
  local lines
  lines="$(cat)"
  echo "$(cut -d' ' -f1 <<<"$lines" | median) $(cut -d' ' -f2 <<<"$lines" | median)" \
       "$(cut -d' ' -f3 <<<"$lines" | median) $(cut -d' ' -f4 <<<"$lines" | awk '{s+=$1} END {print s+0}')"
}

# $runs wrk runs back to back: the medians, "rps p50 p99 failures".
load() {
  for _ in $(seq 1 "$runs"); do load_once "$@"; done | medians
}

# The machine and versions, for the head of a results file.
machine_lines() {
  echo "Machine: $(nproc) cores ($(sed -n 's/model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME")."
  # $bin: the programs measured (each script sets it before it calls this).
  # (ldd's whole output first: under pipefail, `ldd | grep -q` fails when grep
  # stops reading at the match and ldd gets SIGPIPE.)
  local libs
  libs="$(ldd "${bin:-}/sarea-serve" 2>/dev/null || true)"
  echo "Allocator: $([[ $libs == *tcmalloc* ]] && echo tcmalloc || echo "glibc malloc (a sanitizer build, or SAREA_ALLOCATOR=system)")."
  echo "Versions: sarea $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown), Xapian $(dpkg-query -W -f='${Version}' libxapian30 2>/dev/null || echo '?'), cpp-httplib $(dpkg-query -W -f='${Version}' libcpp-httplib-dev 2>/dev/null || echo '?'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)."
}
