#!/usr/bin/env bash
# Runs the README's two commands, `make demo` then `make test`, on a freshly bootstrapped Debian root
# holding nothing but git, make, python3, python3-venv and ca-certificates: a missing install step
# fails here even when the machine running it was provisioned by hand.
#
#   tests/ci/fresh-root.sh SUITE        SUITE: trixie (Debian 13) or bookworm (Debian 12)
#
# As root, on a Debian host (installs debootstrap and iproute2 on the host when missing).
#   base   `debootstrap --variant=minbase SUITE` plus those five packages, cached per suite in
#          $HYBRID_IDENTITY_CI_CACHE (default /var/cache/hybrid-identity-ci/SUITE, rebuilt after 7 days).
#          Only Debian's own packages are cached: never the project's install steps, which are what
#          this proves.
#   root   a copy of the base; in it the machine's own additions (not the project's): the host's
#          extra CA certificates (/usr/local/share/ca-certificates), its global pip configuration
#          (/etc/pip.conf, /etc/xdg/pip, PIP_* variables), apt's network settings and proxies; and a
#          clone of this repository's HEAD in /root/hybrid.identity.
#   phase 1 (install), with the host's network: `make deps` and `tests/run-tests.sh prepare` (what
#          `make test` installs: the sanity virtualenv and ansible-test's per-test virtualenvs).
#   phase 2 (run), under `unshare --net` with only its own loopback: `make demo`, then `make test`.
#          The lab inside can never collide with ports on the host, and a step that still needs the
#          network fails.
# Mounts (proc, sys, /dev, /dev/shm) live in private mount namespaces and are gone when each phase
# ends; the exit trap stops whatever is left running in the root and removes it
# (HYBRID_IDENTITY_CI_KEEP=1 keeps it). Writes SUITE.log and SUITE.result beside the root, in
# $HYBRID_IDENTITY_CI_SCRATCH (default /var/tmp/hybrid-identity-ci). Exit status: non-zero if any phase failed.
set -euo pipefail
suite="${1:?usage: $0 trixie|bookworm|host-tools}"
src="${HYBRID_IDENTITY_CI_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}"
cache="${HYBRID_IDENTITY_CI_CACHE:-/var/cache/hybrid-identity-ci}"
scratch="${HYBRID_IDENTITY_CI_SCRATCH:-/var/tmp/hybrid-identity-ci}"
base="$cache/$suite"
root="$scratch/$suite.root"
log="$scratch/$suite.log"
result="$scratch/$suite.result"
include="git,make,python3,python3-venv,ca-certificates"
[ "$(id -u)" = 0 ] || { echo "fresh-root: run as root" >&2; exit 2; }
mkdir -p "$cache" "$scratch"
[ "$suite" = host-tools ] || : > "$result"
note() { echo "fresh-root[$suite]: $*"; }
record() { echo "$1" >> "$result"; }

host_tools() {
  local missing=""
  command -v debootstrap >/dev/null || missing="$missing debootstrap"
  command -v ip >/dev/null || missing="$missing iproute2"
  if [ -n "$missing" ]; then
    note "installing on the host:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}

# Every process whose root directory is the fresh root: only ever ones this script started there.
root_pids() {
  local p r
  for p in /proc/[0-9]*; do
    r="$(readlink "$p/root" 2>/dev/null)" || continue
    [ "$r" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}

stop_root_processes() {
  local pids
  pids="$(root_pids)"
  [ -z "$pids" ] && return 0
  note "stopping what is left running in the root: $(echo $pids)"
  kill $pids 2>/dev/null || true
  sleep 3
  pids="$(root_pids)"
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  return 0
}

cleanup() {
  stop_root_processes
  # The mounts live in the phases' own mount namespaces; should any have reached this one, undo them.
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  if [ -d "$root" ] && [ "${HYBRID_IDENTITY_CI_KEEP:-0}" != 1 ]; then rm -rf --one-file-system "$root"; fi
}
# `host-tools` only installs what the host needs, once, before suites start side by side (one apt at a time).
if [ "$suite" = host-tools ]; then host_tools; exit 0; fi
trap cleanup EXIT

make_base() {
  exec 9>"$cache/$suite.lock"
  flock 9
  if [ -x "$base/usr/bin/make" ] && [ -n "$(find "$base/.hybrid-identity-base" -mtime -7 2>/dev/null)" ]; then
    record "debootstrap 0 cached"
    return 0
  fi
  note "debootstrap --variant=minbase $suite (cached in $base)"
  local t0=$SECONDS
  rm -rf --one-file-system "$base.tmp"
  if ! debootstrap --variant=minbase --include="$include" "$suite" "$base.tmp" > "$cache/$suite.debootstrap.log" 2>&1; then
    tail -20 "$cache/$suite.debootstrap.log"; record "debootstrap $((SECONDS - t0)) FAILED"; return 1
  fi
  chroot "$base.tmp" apt-get clean
  date -u +%FT%TZ > "$base.tmp/.hybrid-identity-base"
  rm -rf --one-file-system "$base"
  mv "$base.tmp" "$base"
  record "debootstrap $((SECONDS - t0)) ok"
}

make_root() {
  local t0=$SECONDS f
  rm -rf --one-file-system "$root"
  cp -a --reflink=auto "$base" "$root"
  # The machine's own additions, as an administrator would have them on any machine here.
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  fi
  chroot "$root" update-ca-certificates >/dev/null 2>&1
  [ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
  [ -d /etc/xdg/pip ] && mkdir -p "$root/etc/xdg" && cp -a /etc/xdg/pip "$root/etc/xdg/"
  for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -qi '^ *Acquire::' "$f" && cp "$f" "$root$f"
  done
  # The project: a clone of HEAD, as a new user has it (nothing untracked, no .venv, no .lab).
  if [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    note "note: uncommitted changes in $src are not part of this run (it clones HEAD)"
  fi
  git clone -q --no-hardlinks "$src" "$root/root/hybrid.identity"
  git -C "$root/root/hybrid.identity" checkout -q --detach "$(git -C "$src" rev-parse HEAD)"
  note "root ready in $((SECONDS - t0)) s: $(git -C "$src" log --oneline -1 | cut -c1-72)"
}

# in_root net|nonet SCRIPT: SCRIPT runs in the root's /root/hybrid.identity with a clean environment.
in_root() {
  local net="$1" script="$2" ns=(--mount --propagation private) envs=() v
  [ "$net" = nonet ] && ns+=(--net)
  # Machine-level settings that reach PyPI and the Debian archive (proxies, pip's own variables).
  # A setting naming a local path the root does not have (a wheel folder on the host) is left out.
  while IFS= read -r v; do
    case "${v#*=}" in /*) [ -e "$root${v#*=}" ] || continue ;; esac
    envs+=("$v")
  done < <(env | grep -E '^(PIP_[A-Z_]+|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)=' || true)
  unshare "${ns[@]}" -- bash -c '
    set -e
    root="$1"; net="$2"; script="$3"; shift 3
    if [ "$net" = nonet ]; then ip link set lo up; fi
    mount -t proc proc "$root/proc"
    mount -t sysfs sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true DEBIAN_FRONTEND=noninteractive \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" \
      /bin/bash -c "cd /root/hybrid.identity && $script"
  ' fresh-root "$root" "$net" "$script" "${envs[@]}" </dev/null
}

# step NAME NET COMMAND: run, log, time; record "NAME SECONDS ok|FAILED".
step() {
  local name="$1" net="$2" cmd="$3" t0=$SECONDS rc=0
  note "== $name: $cmd"
  in_root "$net" "$cmd" 2>&1 | tee -a "$log" || rc=$?
  if [ $rc = 0 ]; then record "$name $((SECONDS - t0)) ok"; else record "$name $((SECONDS - t0)) FAILED($rc)"; fi
  note "$name: $((SECONDS - t0)) s, exit $rc"
  return $rc
}

: > "$log"
host_tools
make_base
make_root
status=0
step install net "make deps && bash tests/run-tests.sh prepare" || status=1
if [ $status = 0 ]; then
  v="$(in_root nonet ".venv/bin/python -c 'import sys, ansible.release as r; print(\"ansible-core %s, Python %d.%d.%d\" % ((r.__version__,) + sys.version_info[:3]))'" 2>&1 | tail -1)"
  record "versions $v"
  note "$v"
  # One network namespace for both: `make test` uses the lab `make demo` started, as on a workstation.
  step "demo+test" nonet '
    t0=$SECONDS; make demo; rc=$?; echo "fresh-root-time demo $((SECONDS - t0)) $rc"
    t0=$SECONDS; make test; rc2=$?; echo "fresh-root-time test $((SECONDS - t0)) $rc2"
    make lab-down >/dev/null 2>&1 || true
    [ $rc = 0 ] && [ $rc2 = 0 ]' || status=1
  sed -n 's/^fresh-root-time \([a-z]*\) \([0-9]*\) \([0-9]*\)$/\1 \2 exit=\3/p' "$log" >> "$result"
fi
# pytest's closing line ("12 passed, 1 skipped in 3.10s", with or without ==== around it).
summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.* in [0-9.]+s' "$log" | tail -1 || true)"
record "pytest ${summary:-none}"
[ -n "$summary" ] || status=1
exit $status
