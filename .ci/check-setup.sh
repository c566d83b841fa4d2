# Sourced by the checks that install from Debian's packages and may be skipped (slurm-check.sh,
# browser-check.sh): strict mode; say and die, which name the check; and the skip switch. Arguments:
# the check's name ("slurm check") and the variable that, set to `skip`, skips it (SLURM_CHECK).
set -euo pipefail
check_name=$1
check_switch=$2
say() { echo "$check_name: $*"; }
die() {
  echo "$check_name: FAILED: $*" >&2
  exit 1
}
if [[ ${!check_switch:-} == skip ]]; then
  say "skipped ($check_switch=skip)"
  exit 0
fi
