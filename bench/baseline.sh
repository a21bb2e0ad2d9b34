#!/usr/bin/env bash
# bench/baseline.sh up|down: the baseline of bench/run.sh. The standalone data center's gateway
# tier brought up by hand, one step after the other, with `lxc` and `docker` only: the same
# objects, names and settings as the Pulumi program (stacks/cluster, components/tier,
# components/gateway, components/swarm), so the benchmark compares the tool, not the work.
#
#   up     creates what is missing, step by step, waiting for each service it creates to run;
#          a second `up` is the baseline's no-change run: every step looks first and skips
#          what exists (like the program's no-change up, it does not wait on existing services)
#   down   removes everything `up` made, in the order `pulumi destroy` does
#
# BCM_BENCH_WORK (required): a directory of its own for the docker socket, the fixture files
# (bench/fixture.ts writes them there when missing: onion key, client line, torrc) and the
# record of which LXD images it imported (only those are deleted again). Needs root, LXD and
# the images of images/build.sh and images/docker/build.sh. Never run it beside a data center
# with the same names (bcm-gateway-01, profile bcm-docker): bench/run.sh holds the lock.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${BCM_BENCH_WORK:?set BCM_BENCH_WORK to a directory of its own}
name=bcm-gateway-01
tier=gateway
volume=$name-docker
profile=bcm-docker
sockdir=$work/sock
sock=$sockdir/$name.sock
host=unix://$sock
registry=127.0.0.1:5010
pinned="node.hostname == $name"
label="engine.labels.bcm-tier == $tier"

started=$EPOCHREALTIME
# Progress on stderr, with the seconds since the start (as the program's progress lines have).
say() { printf '[baseline %6.1fs] %s\n' "$(awk -v s="$started" -v n="$EPOCHREALTIME" 'BEGIN { print n - s }')" "$*" >&2; }
die() { printf '[baseline] error: %s\n' "$*" >&2; exit 1; }
D() { docker -H "$host" "$@"; }
in_container() { lxc exec "$name" "$@"; }
exists_instance() { lxc info "$name" >/dev/null 2>&1; }

# The benchmark's Tor is offline (DisableNetwork 1, the fixture's torrc), as in `npm run up`.
# Then the program runs no Docker Hub mirror (distribution's proxy mode does not start without
# its upstream) and tells dockerd of none, so neither does this.

# What the program runs inside the container through LXD's exec API, and dockerd's
# daemon.json, are taken from the components by the fixture (bench/fixture.ts), so both sides
# always run the same commands: configure-docker.sh, swarm-init.sh, swarm-leave.sh, esp-probe.sh.
script() { cat "$work/$1"; }

# wait_running SERVICE: until its task runs (and, with a healthcheck, is healthy), like the
# program's convergeConfig. A failed or rejected task is replaced by swarm (restart policy
# "any"), so it is reported and waited out, up to 300 s.
wait_running() {
  local state failed deadline=$((SECONDS + 300))
  while :; do
    state=$(D service ps "$1" --filter desired-state=running --format '{{.CurrentState}}|{{.Error}}' --no-trunc | head -n 1)
    case $state in
      Running*)
        failed=$(D service ps "$1" --format '{{.CurrentState}}|{{.Error}}' --no-trunc | grep -cE '^(Failed|Rejected)' || true)
        say "service $1 running"
        [ "$failed" = 0 ] || say "service $1 runs, after $failed failed task(s): $(D service ps "$1" --format '{{.Error}}' --no-trunc | grep -v '^$' | sort | uniq -c | paste -sd';' -)"
        return 0 ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die "service $1 is not running after 300 s: $state"
    sleep 0.5
  done
}

# digest REF: REF's digest in the private registry as the manager's dockerd knows it after a
# push (REPO@sha256:...), or REF itself.
digest() { D image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$1" | grep -m1 "^$registry/" || echo "$1"; }

# sha12 FILE: the first 12 hex digits of its SHA-256 (the program's content-derived names).
sha12() { sha256sum "$1" | cut -c1-12; }

up() {
  [ -f "$work/swarm-leave.sh" ] || { say "writing the fixture (onion key, client line, torrc, scripts)"; node -r ts-node/register "$repo/bench/fixture.ts" "$work"; }
  local images dimages
  images="$(bash "$repo/images/build.sh" --print bcm-base | tail -n 1) $(bash "$repo/images/build.sh" --print bcm-template | tail -n 1)"
  dimages=$(bash "$repo/images/docker/build.sh" --print | tail -n 1)
  img() { jq -r ".$1" <<<"$dimages"; }

  # 1. The two LXD images, imported when the daemon does not have them yet.
  local dir fp template_fp=""
  for dir in $images; do
    fp=$(cat "$dir/fingerprint")
    if ! lxc image info "$fp" >/dev/null 2>&1; then
      say "importing $(basename "$dir")"
      lxc image import "$dir/metadata.tar.gz" "$dir/rootfs.tar.gz" >/dev/null
      echo "$fp" >>"$work/imported-images"
    fi
    case $(basename "$dir") in bcm-template-*) template_fp=$fp ;; esac
  done

  # 2. The docker-host profile (components/cluster/profiles.ts).
  if ! lxc profile show "$profile" >/dev/null 2>&1; then
    say "profile $profile"
    lxc profile create "$profile" >/dev/null
    lxc profile edit "$profile" <<EOF
description: "BCM system containers (dockerd inside): cluster baseline"
config:
  security.privileged: "false"
  security.nesting: "true"
  limits.processes: "2000"
devices: {}
EOF
  fi

  # 3. dockerd's storage volume.
  if ! lxc storage volume show default "$volume" >/dev/null 2>&1; then
    say "volume $volume"
    lxc storage volume create default "$volume" >/dev/null
    # lxc 5.0 has no --description: edit the volume's YAML.
    lxc storage volume show default "$volume" | sed "s|^description:.*|description: \"dockerd data of $name\"|" \
      | lxc storage volume edit default "$volume"
  fi

  # 4. The container: its disk on the volume, the controller's socket to its dockerd.
  if ! exists_instance; then
    say "launching $name"
    install -d -m 0700 "$sockdir"
    lxc launch "$template_fp" "$name" -p default -p "$profile" >/dev/null <<EOF
description: "BCM $tier tier"
devices:
  dockerdisk:
    type: disk
    pool: default
    source: $volume
    path: /var/lib/docker
  dockersock:
    type: proxy
    listen: unix:$sock
    connect: unix:/var/run/docker.sock
    bind: host
    mode: "0600"
EOF
  fi
  local i addr=""
  for i in $(seq 1 120); do
    addr=$(lxc query "/1.0/instances/$name/state" | jq -r '[.network.eth0.addresses[]? | select(.family == "inet" and .scope == "global") | .address][0] // empty')
    [ -n "$addr" ] && break
    sleep 1
  done
  [ -n "$addr" ] || die "$name has no address on eth0 after 120 s"
  say "$name has $addr on eth0"

  # 5. dockerd's daemon.json and a restart; 6. the swarm. The program records both in its state;
  #    by hand, dockerd's labels and the swarm state say whether they ran.
  if ! D info --format '{{.Labels}}' 2>/dev/null | grep -q 'bcm-tier=gateway'; then
    say "configuring dockerd"
    in_container --env DAEMON_JSON="$(cat "$work/daemon.json")" -- sh -c "$(script configure-docker.sh)" >/dev/null
  fi
  if [ "$(D info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    say "swarm init"
    in_container -- sh -c "$(script swarm-init.sh)" >/dev/null
  fi

  # 7. Overlay encryption: the program probes the kernel for ESP first (components/swarm/encryption.ts).
  local opts=(--label bcm.encrypted=false)
  if ! D network inspect bcm-gateway >/dev/null 2>&1 || ! D network inspect bcm-egress >/dev/null 2>&1; then
    if [ "$(in_container -- sh -c "$(script esp-probe.sh)")" = esp ]; then
      opts=(--opt encrypted=true --label bcm.encrypted=true)
    else
      say "no ESP in this kernel: overlays unencrypted (one endpoint)"
    fi
  fi
  D network inspect bcm-gateway >/dev/null 2>&1 || D network create --driver overlay --attachable --internal --label bcm.network=internal "${opts[@]}" bcm-gateway >/dev/null
  D network inspect bcm-egress >/dev/null 2>&1 || D network create --driver overlay --attachable --label bcm.network=egress "${opts[@]}" bcm-egress >/dev/null

  # 8. The registry image, loaded straight into the manager and tagged with its registry name.
  local src ref
  load() { D image inspect "$1" >/dev/null 2>&1 || docker save "$1" | D load -q >/dev/null; }
  src=$(img registry)
  load "$src"
  D tag "$src" "$registry/$src"

  # 9. The private registry (host port 5010).
  if ! D service inspect registry >/dev/null 2>&1; then
    say "service registry"
    D service create --detach --no-resolve-image --name registry \
      --constraint "$label" --constraint "$pinned" \
      --network name=bcm-gateway,alias=registry --network bcm-egress \
      --mount type=volume,source=bcm-registry-data,target=/var/lib/docker-registry \
      --publish mode=host,target=5000,published=5010,protocol=tcp \
      --limit-memory 256M --replicas 1 --endpoint-mode dnsrr --stop-grace-period 10s \
      --restart-condition any --restart-delay 5s --restart-window 30s \
      --update-parallelism 1 --update-order stop-first --update-failure-action rollback --update-monitor 15s \
      --rollback-parallelism 1 --rollback-order stop-first \
      "$registry/$src" >/dev/null
    wait_running registry
  fi

  # 10. Every image into the private registry (the program publishes registry, tor, toolbox and
  #     every further image images/docker/build.sh printed: debian).
  local n
  for n in registry tor toolbox debian; do
    src=$(img "$n")
    ref=$registry/$src
    # Already there: the registry knows the tag (from the host, on the container's address).
    if curl -sf -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$addr:5010/v2/${src%%:*}/manifests/${src##*:}"; then
      continue
    fi
    say "pushing $n"
    load "$src"
    D tag "$src" "$ref"
    for i in $(seq 1 30); do
      D push -q "$ref" >/dev/null 2>&1 && break
      [ "$i" = 30 ] && { D push "$ref" >&2; exit 1; }
      sleep 2
    done
    # The digest, which services are created with (the program's SwarmImage ref).
    digest "$ref" >/dev/null
  done

  # 11. Tor's config and onion secrets, named by their content (swarm secrets are immutable).
  local torrc_name key_name clients_name
  torrc_name=bcm-torrc-$(sha12 "$work/torrc")
  key_name=bcm-onion-registry-key-$(base64 -w0 "$work/onion-registry-secret" | sha256sum | cut -c1-12)
  clients_name=bcm-onion-registry-clients-$(sha12 "$work/onion-registry-clients")
  D config inspect "$torrc_name" >/dev/null 2>&1 || D config create "$torrc_name" "$work/torrc" >/dev/null
  D secret inspect "$key_name" >/dev/null 2>&1 || D secret create "$key_name" "$work/onion-registry-secret" >/dev/null
  D secret inspect "$clients_name" >/dev/null 2>&1 || D secret create "$clients_name" "$work/onion-registry-clients" >/dev/null

  # 12. Tor (DisableNetwork 1: only the process can be checked).
  if ! D service inspect tor >/dev/null 2>&1; then
    say "service tor"
    D service create --detach --no-resolve-image --name tor \
      --constraint "$label" --constraint "$pinned" \
      --network name=bcm-gateway,alias=tor --network bcm-egress \
      --config source="$torrc_name",target=/etc/bcm/torrc,mode=0444 \
      --secret source="$key_name",target=onion-registry-secret,mode=0400 \
      --secret source="$clients_name",target=onion-registry-clients,mode=0400 \
      --mount type=volume,source=bcm-tor-data,target=/var/lib/tor \
      --publish mode=host,target=9050,published=9050,protocol=tcp \
      --publish mode=host,target=9053,published=9053,protocol=udp \
      --health-cmd 'kill -0 1' --health-interval 5s --health-timeout 3s --health-retries 3 --health-start-period 10s \
      --limit-memory 256M --replicas 1 --endpoint-mode dnsrr --stop-grace-period 10s \
      --restart-condition any --restart-delay 5s --restart-window 30s \
      --update-parallelism 1 --update-order stop-first --update-failure-action rollback --update-monitor 15s \
      --rollback-parallelism 1 --rollback-order stop-first \
      "$(digest "$registry/$(img tor)")" >/dev/null
    wait_running tor
  fi

  say "up: $name at $addr (registry $addr:5010, socket $sock)"
}

down() {
  if exists_instance && [ "$(lxc list "^$name\$" --format csv -c s)" = RUNNING ] && [ -S "$sock" ]; then
    # What pulumi destroy removes first: services (waiting for their containers to go),
    # then the config and secrets, the networks, and the swarm (leave on the last manager).
    local s
    for s in tor registry; do
      D service inspect "$s" >/dev/null 2>&1 && D service rm "$s" >/dev/null
    done
    for i in $(seq 1 120); do
      [ -z "$(D ps -aq --filter label=com.docker.swarm.service.name)" ] && break
      sleep 0.5
    done
    D secret ls -q --filter name=bcm-onion- | xargs -r docker -H "$host" secret rm >/dev/null
    D config ls -q --filter name=bcm-torrc- | xargs -r docker -H "$host" config rm >/dev/null
    for s in bcm-gateway bcm-egress; do
      D network inspect "$s" >/dev/null 2>&1 && D network rm "$s" >/dev/null
    done
    in_container -- sh -c "$(script swarm-leave.sh)"
    say "services, config, secrets, networks removed; swarm left"
  fi
  if exists_instance; then lxc delete --force "$name"; say "$name deleted"; fi
  if lxc storage volume show default "$volume" >/dev/null 2>&1; then lxc storage volume delete default "$volume" >/dev/null; fi
  if lxc profile show "$profile" >/dev/null 2>&1; then lxc profile delete "$profile" >/dev/null; fi
  if [ -f "$work/imported-images" ]; then
    local fp
    while read -r fp; do
      if lxc image info "$fp" >/dev/null 2>&1; then lxc image delete "$fp"; fi
    done <"$work/imported-images"
    rm -f "$work/imported-images"
  fi
  rm -f "$sock"
  say "down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) die "usage: BCM_BENCH_WORK=<dir> bench/baseline.sh up|down" ;;
esac
