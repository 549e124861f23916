# ab_turns.sh - sourced by the A/B scripts (ab_binaries.sh, ab_train.sh, ab_rows_edge.sh):
# ab_turns SCRIPT N OLD NEW runs N rounds of the two binaries in turns (NEW
# first every other round, so neither always runs in the other's wake),
# calling the caller's `ab_run BIN TAG` (TAG old<i> or new<i>) for each, after
# checking that both are executables (N > 0). AB_OLD_ENV / AB_NEW_ENV: words
# VAR=value exported to that side's runs only, so that one binary can be its
# own A/B with an environment difference (AB_NEW_ENV=MLPB_PAR_MIN=300000).
# ab_outputs SCRIPT OUT SUFFIX then lists the rounds' outputs, OUT/old*SUFFIX
# and OUT/new*SUFFIX, in AB_FILES for the caller's awk (exit 1 naming them
# when there are none), and sets MED (awk_med.sh) for it.
ab_turns() {
  local script=$1 n=$2 old=$3 new=$4 i v bin order envs
  local - # the AB_*_ENV words are split, never globbed (restored on return)
  set -f
  if [ "$n" -gt 0 ]; then
    for bin in "$old" "$new"; do [ -x "$bin" ] || { echo "$script: $bin is not an executable" >&2; exit 1; }; done
    for envs in ${AB_OLD_ENV:-} ${AB_NEW_ENV:-}; do
      [[ $envs =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "$script: AB_*_ENV word '$envs' is not VAR=value" >&2; exit 1; }
    done
  fi
  for i in $(seq 1 "$n"); do
    order="old new"
    [ $((i % 2)) -eq 0 ] && order="new old"
    for v in $order; do
      bin=$old
      [ "$v" = new ] && bin=$new
      envs=${AB_OLD_ENV:-}
      [ "$v" = new ] && envs=${AB_NEW_ENV:-}
      echo "$script: round $i/$n, $v ($bin${envs:+ with $envs})" >&2
      # a subshell, not under || (which would switch off set -e inside ab_run)
      # shellcheck disable=SC2086
      ([ -z "$envs" ] || export $envs; ab_run "$bin" "$v$i")
    done
  done
}

ab_outputs() {
  local script=$1 out=$2 suf=$3
  AB_FILES=("$out"/old*"$suf" "$out"/new*"$suf")
  [ -f "${AB_FILES[0]}" ] || { echo "$script: no $out/old*$suf" >&2; exit 1; }
  # shellcheck source=awk_med.sh
  . "${BASH_SOURCE[0]%/*}/awk_med.sh"
}
