#!/bin/bash
# Installs what the lab and the tests need on Debian 12 (bookworm) and Debian 13 (trixie): Samba AD DC, Kerberos and LDB tools
# (apt, as root), and the project virtualenv .venv from requirements-dev.txt. Idempotent and quiet
# when everything is present. Every package is named: nothing may come from a Recommends, because
# installs here use --no-install-recommends (samba-ad-provision, the AD schema files provision reads,
# is only a Recommends of samba-ad-dc; python3-pip-whl holds the pip wheel venv and ansible-test need;
# iproute2's ip puts the second site's 127.0.0.2 on lo; shellcheck runs ansible-test sanity's shellcheck test, which
# is skipped, not failed, without it). tests/ci/fresh-root.sh proves the list on
# minbase roots of both releases.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pkgs="samba-ad-dc samba-ad-provision samba krb5-user ldb-tools python3-gpg gnupg python3-venv python3-pip-whl iproute2 shellcheck"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then echo "lab: need root to install:$missing" >&2; exit 1; fi
  echo "lab: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Samba's packaging starts system daemons on install; the lab runs its own, so keep those off.
for svc in samba-ad-dc smbd nmbd winbind; do
  systemctl is-active --quiet "$svc" 2>/dev/null && systemctl stop "$svc" 2>/dev/null || true
done
stamp="$root/.venv/.requirements-dev.stamp"
if [ ! -x "$root/.venv/bin/python" ] || [ ! -f "$stamp" ] || [ "$root/requirements-dev.txt" -nt "$stamp" ]; then
  echo "lab: preparing .venv"
  python3 -m venv "$root/.venv"
  "$root/.venv/bin/pip" install -q --disable-pip-version-check -r "$root/requirements-dev.txt"
  touch "$stamp"
fi
