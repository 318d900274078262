#!/bin/sh
# Makes sure a root file system with a real, current Synapse exists for the real-server tests:
# Debian's unstable suite, where the package matrix-synapse lives, built once by debootstrap
# into a cache folder outside the repository and kept there. Later runs find it and return at
# once. The host is left as it was, apart from the debootstrap package.
#
# Prints the root's path on stdout and exits 0 when it is ready. When it cannot be had here
# (not root, not Debian or Ubuntu, no way to reach Debian's mirror), prints one line saying
# why on stdout and exits 2. Anything else (a build that broke) exits 1.
#
#   DSAR_SYNAPSE_CACHE    the cache folder (default: $XDG_CACHE_HOME or ~/.cache, then matrix-dsar-bot)
#   DSAR_SYNAPSE_MIRROR   the Debian mirror (default: http://deb.debian.org/debian)
#   DSAR_SYNAPSE_REBUILD  set to 1 to build the root again (a newer Synapse)
set -eu

cache=${DSAR_SYNAPSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/matrix-dsar-bot}
mirror=${DSAR_SYNAPSE_MIRROR:-http://deb.debian.org/debian}
root="$cache/synapse-root"
stamp="$root/.dsar-synapse-ready"

cannot() {
  echo "$1"
  exit 2
}

if [ -f "$stamp" ] && [ "${DSAR_SYNAPSE_REBUILD:-0}" != 1 ]; then
  echo "$root"
  exit 0
fi

[ "$(id -u)" = 0 ] || cannot "not running as root (chroot needs it)"
[ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 || cannot "not a Debian or Ubuntu machine (the root is built with debootstrap and apt)"

mkdir -p "$cache"
# One build at a time; a second caller waits for the first and then finds the root ready.
exec 9>"$cache/synapse-root.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$stamp" ] && [ "${DSAR_SYNAPSE_REBUILD:-0}" != 1 ]; then
  echo "$root"
  exit 0
fi

log="$cache/synapse-root.build.log"
: >"$log"
echo "prepare-root: building a Debian unstable root with matrix-synapse in $root (once; about 2 minutes, up to 10 on a slow mirror; log: $log)" >&2

if ! command -v debootstrap >/dev/null 2>&1 || [ ! -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap debian-archive-keyring) >>"$log" 2>&1 \
    || cannot "debootstrap could not be installed from the host's package sources (see $log)"
fi

partial="$root.partial"
rm -rf "$partial"
if ! debootstrap --variant=minbase --include=ca-certificates --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  unstable "$partial" "$mirror" >>"$log" 2>&1; then
  if grep -q -i -E 'Failed getting release file|Temporary failure resolving|Could not resolve|Connection (refused|timed out)' "$log"; then
    rm -rf "$partial"
    cannot "Debian's mirror $mirror cannot be reached (see $log)"
  fi
  echo "prepare-root: debootstrap failed; see $log" >&2
  exit 1
fi

# Unstable's Release file can be past its Valid-Until date on a mirror snapshot.
echo 'Acquire::Check-Valid-Until "false";' >"$partial/etc/apt/apt.conf.d/99dsar-no-valid-until"
# Installing the package would start its service: forbid it, the tests start Synapse themselves.
printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
chmod 755 "$partial/usr/sbin/policy-rc.d"
if ! chroot "$partial" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends matrix-synapse' >>"$log" 2>&1; then
  echo "prepare-root: installing matrix-synapse failed; see $log" >&2
  exit 1
fi
chroot "$partial" apt-get clean >>"$log" 2>&1 || true
chroot "$partial" dpkg-query -W -f='${Version}\n' matrix-synapse >"$partial/.dsar-synapse-ready"

rm -rf "$root"
mv "$partial" "$root"
echo "prepare-root: ready, matrix-synapse $(cat "$stamp")" >&2
echo "$root"
