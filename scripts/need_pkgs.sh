#!/usr/bin/env bash
# need_pkgs.sh WHO PKG... - install, with apt, those of the Debian packages
# named that are missing (through sudo when not root); nothing when none is.
# WHO names the caller in the one line said on stderr. Used by setup.sh and
# avx512_emu.sh; not a general package manager.
set -euo pipefail
who=$1
shift
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "$who: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
# env, not a prefix: sudo's env_reset would drop DEBIAN_FRONTEND
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
