#!/usr/bin/env bash
# Builds (once) the tiny Debian image the LXD provider's integration tests boot when
# images/build.sh has no bcm-base to offer (components/testing/lxd/testImage.ts decides), and
# prints the directory holding it, a split image:
#   metadata.tar.gz     metadata.yaml + hostname/hosts templates
#   rootfs.tar.gz       debootstrap --variant=minbase bookworm + systemd-sysv, udev,
#                       iproute2; eth0 by DHCP through systemd-networkd
# The cache key is this script's own hash, so editing the recipe rebuilds; a build takes
# about two minutes (debootstrap from the Debian mirror), a cached answer is instant.
# Usage: buildTestImage.sh [--print]   (prints the directory either way)
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
key="$(sha256sum "${script}" | cut -c1-12)"
cache="${BCM_CACHE_DIR:-${HOME}/.cache/bcm}/test-images"
out="${cache}/lxd-test-${key}"
mirror="${BCM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ -f "${out}/rootfs.tar.gz" && -f "${out}/metadata.tar.gz" ]]; then
    echo "${out}"
    exit 0
fi

mkdir -p "${cache}"
exec 9>"${cache}/.lxd-test.lock"
flock 9 # another test run may be building the same image
if [[ -f "${out}/rootfs.tar.gz" ]]; then
    echo "${out}"
    exit 0
fi

command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
work="$(mktemp -d /var/tmp/bcm-lxd-test-image.XXXXXX)"
trap 'rm -rf "${work}"' EXIT
rootfs="${work}/rootfs"
if ! debootstrap --variant=minbase --include=systemd-sysv,udev,iproute2 bookworm "${rootfs}" "${mirror}" >"${work}/debootstrap.log" 2>&1; then
    tail -n 20 "${work}/debootstrap.log" >&2
    echo "debootstrap failed (mirror ${mirror}; set BCM_DEBIAN_MIRROR to use another)" >&2
    exit 1
fi
cat >"${rootfs}/etc/systemd/network/10-eth0.network" <<'NET'
[Match]
Name=eth0

[Network]
DHCP=ipv4
NET
chroot "${rootfs}" systemctl enable systemd-networkd.service >/dev/null 2>&1
rm -f "${rootfs}/etc/hostname"
rm -rf "${rootfs}/var/cache/apt/archives/"*.deb "${rootfs}/var/lib/apt/lists/"*

meta() { # $1 output file
    local dir="${work}/meta"
    mkdir -p "${dir}/templates"
    cat >"${dir}/metadata.yaml" <<YAML
architecture: x86_64
creation_date: 1700000000
properties:
  description: BCM LXD provider test image (Debian bookworm minbase)
  os: debian
  release: bookworm
templates:
  /etc/hostname:
    when: [create, copy, rename]
    template: hostname.tpl
  /etc/hosts:
    when: [create, copy, rename]
    template: hosts.tpl
YAML
    printf '{{ container.name }}\n' >"${dir}/templates/hostname.tpl"
    printf '127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n' >"${dir}/templates/hosts.tpl"
    # Fixed mtimes and owners: the same recipe gives the same bytes, so the same fingerprint.
    tar -C "${dir}" --mtime=@1700000000 --owner=0 --group=0 --sort=name -cf - metadata.yaml templates | gzip -n >"$1"
}

mkdir -p "${work}/out"
meta "${work}/out/metadata.tar.gz"
tar -C "${rootfs}" --numeric-owner -czf "${work}/out/rootfs.tar.gz" .
rm -rf "${out}"
mv "${work}/out" "${out}"
echo "${out}"
