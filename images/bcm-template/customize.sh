#!/usr/bin/env bash
# Runs inside the bcm-template chroot after apt (see images/in-chroot.sh).
set -euo pipefail

# docker.io's postinst already enables these through deb-systemd-helper; be explicit so a
# packaging change cannot silently leave dockerd off at boot.
systemctl enable containerd.service docker.service docker.socket

for unit in containerd.service docker.service; do
  if [[ "$(systemctl is-enabled "${unit}")" != "enabled" ]]; then
    echo "customize: ${unit} is not enabled" >&2
    exit 1
  fi
done
