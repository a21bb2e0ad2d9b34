#!/usr/bin/env bash
# Runs inside the bcm-base chroot after apt (see images/in-chroot.sh).
set -euo pipefail

# debootstrap writes the mirror it used here; the image's sources are debian.sources.
rm -f /etc/apt/sources.list

# DHCP on eth0 (10-eth0.network) and DNS from the lease.
systemctl enable systemd-networkd.service systemd-resolved.service

# BCM sends nothing outside except through Tor: no periodic apt downloads from inside the
# containers (images are rebuilt instead; see images/README.md).
systemctl disable apt-daily.timer apt-daily-upgrade.timer

# Block-device housekeeping belongs to the host, not to containers (the units would only
# skip or do nothing here).
systemctl disable e2scrub_all.timer e2scrub_reap.service fstrim.timer
