#!/usr/bin/env bash
# Runs the libFuzzer targets of a HTTPSERV_FUZZ build (make fuzz / make fuzz-merge).
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]   fuzz each target for SECONDS, one after the other
#   fuzz/run.sh --merge BUILD_DIR [TARGET...]   add the scratch inputs that bring new coverage to
#                                              the checked-in corpus (review, then commit them)
# New inputs go to BUILD_DIR/fuzz-corpus/TARGET (scratch), findings to BUILD_DIR/fuzz-artifacts/.
# Exit status: 0 when no target found anything; 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
merge=0
if [ "${1:-}" = --merge ]; then merge=1; shift; fi
build=${1:?usage: fuzz/run.sh [--merge] BUILD_DIR [SECONDS] [TARGET...]}
shift
secs=60
if [ $merge -eq 0 ]; then secs=${1:?SECONDS}; shift; fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in "$here"/corpus/*/; do targets+=("$(basename "$d")"); done
fi

dict_for() {
  case $1 in
    h1_parser|chunked|session|iis_session) echo "$here/dict/http.dict" ;;
    *) echo "$here/dict/$1.dict" ;;
  esac
}

findings=0
mkdir -p "$build/fuzz-artifacts"
for t in "${targets[@]}"; do
  exe="$build/fuzz/fuzz_$t"
  if [ ! -x "$exe" ]; then echo "fuzz: $exe not built" >&2; findings=1; continue; fi
  scratch="$build/fuzz-corpus/$t"
  mkdir -p "$scratch"
  if [ $merge -eq 1 ]; then
    before=$(ls "$here/corpus/$t" | wc -l)
    "$exe" -merge=1 "$here/corpus/$t" "$scratch" >"$build/fuzz-artifacts/$t.merge.log" 2>&1
    echo "fuzz-merge $t: $before -> $(ls "$here/corpus/$t" | wc -l) files in fuzz/corpus/$t"
    continue
  fi
  log="$build/fuzz-artifacts/$t.log"
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
         -dict="$(dict_for "$t")" -artifact_prefix="$build/fuzz-artifacts/$t-" \
         "$scratch" "$here/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz $t: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-cov: ?}, scratch corpus $(ls "$scratch" | wc -l) files, exit $rc"
  if [ $rc -ne 0 ]; then
    findings=1
    echo "---- $t: finding (full log: $log) ----"
    grep -E 'ERROR|invariant|SUMMARY|Test unit written|^    #[0-9] ' "$log" | head -40
  fi
done
exit $findings
