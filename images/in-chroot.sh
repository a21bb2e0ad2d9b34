#!/usr/bin/env bash
# Runs inside an image's chroot (started by chroot-run.sh), with the build payload
# mounted read-only at /tmp/bcm:
#   /tmp/bcm/packages           packages to install, one per line (may be empty)
#   /tmp/bcm/sources.d/*.sources apt sources for this build (the build mirrors)
#   /tmp/bcm/customize.sh       optional, the image's own steps, run last
# Brings the tree up to date with bookworm-updates and bookworm-security, installs the
# packages without recommends, then runs customize.sh.
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi

payload=/tmp/bcm
apt_opts=(
  -q
  -o Dir::Etc::SourceList=/dev/null
  -o "Dir::Etc::SourceParts=${payload}/sources.d"
  -o APT::Install-Recommends=false
  -o Dpkg::Options::=--force-confdef
  -o Dpkg::Options::=--force-confold
  -o Dpkg::Options::=--force-unsafe-io
)

echo "in-chroot: apt-get update"
apt-get "${apt_opts[@]}" update
echo "in-chroot: apt-get dist-upgrade"
apt-get "${apt_opts[@]}" -y dist-upgrade

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "${payload}/packages")
if [[ "${#packages[@]}" -gt 0 ]]; then
  echo "in-chroot: apt-get install ${packages[*]}"
  apt-get "${apt_opts[@]}" -y install "${packages[@]}"
fi

if [[ -f "${payload}/customize.sh" ]]; then
  echo "in-chroot: customize.sh"
  bash "${payload}/customize.sh"
fi
echo "in-chroot: done"
