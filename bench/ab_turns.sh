# ab_turns.sh - sourced by the A/B scripts (ab_binaries.sh, ab_train.sh):
# ab_turns SCRIPT N OLD NEW runs N rounds of the two binaries in turns (NEW
# first every other round, so neither always runs in the other's wake),
# calling the caller's `ab_run BIN TAG` (TAG old<i> or new<i>) for each, after
# checking that both are executables (N > 0). AB_OLD_ENV / AB_NEW_ENV: words
# VAR=value exported to that side's runs only, so that one binary can be its
# own A/B with an environment difference (AB_NEW_ENV=MLPB_PAR_MIN=300000).
ab_turns() {
  local script=$1 n=$2 old=$3 new=$4 i v bin order envs
  if [ "$n" -gt 0 ]; then
    for bin in "$old" "$new"; do [ -x "$bin" ] || { echo "$script: $bin is not an executable" >&2; exit 1; }; done
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
      # shellcheck disable=SC2086 # envs: words on purpose
      ( [ -z "$envs" ] || export $envs; ab_run "$bin" "$v$i" ) || exit 1
    done
  done
}
