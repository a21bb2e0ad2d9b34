#!/bin/sh
# Runs once, in the first stage of bcm/debian's build: turns bcm-base (a system container
# booting systemd) into a base for application containers, which run one process and get
# their hostname, /etc/hosts and /etc/resolv.conf from Docker.
set -eu
export DEBIAN_FRONTEND=noninteractive

# What a container never uses: init, device manager, system bus, stub resolver, time zones
# (containers run in UTC). Everything else that nothing needs goes with them:
# every package is marked "automatically installed" except the few kept on purpose, then
# apt removes what no kept package depends on (Essential packages always stay).
# Kept: apt (the images built on this one install packages), ca-certificates, netbase
# (/etc/services, /etc/protocols), procps (ps, for debugging and health checks).
dpkg-query -W -f '${Package}\n' | xargs apt-mark auto >/dev/null
apt-mark manual apt ca-certificates netbase procps >/dev/null
apt-get purge -y -q --auto-remove \
  systemd-sysv systemd udev systemd-resolved dbus tzdata
if [ -n "$(dpkg --audit)" ]; then
  dpkg --audit >&2
  exit 1
fi

# Leftovers of the system container: bcm-base's networkd configuration and systemd's state.
rm -rf /etc/systemd /var/lib/systemd /var/lib/dbus /etc/machine-id /var/lib/dhcp

install -m 0755 /tmp/bcm/bcm-apt-install /usr/local/sbin/bcm-apt-install

# No package lists, caches or logs in the image.
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
  /var/lib/dpkg/*-old /var/cache/ldconfig/aux-cache /tmp/bcm
find /var/log -type f -delete
