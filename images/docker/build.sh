#!/usr/bin/env bash
# Builds (or reuses) the Docker images BCM's Swarm services run, from Debian packages only,
# on the local dockerd. Each image is tagged bcm/NAME:HASH, where HASH covers its inputs, so
# the same inputs give the same tag and nothing is rebuilt. See images/docker/README.md.
set -euo pipefail

# images/lib.sh: PATH with the sbin directories, host_apt_ensure. Its log/warn/die are
# replaced below (this script's lines start with "[bcm docker-images]").
# shellcheck source=images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

log() {
  printf '[bcm docker-images] %s\n' "$*" >&2
}
warn() {
  printf '[bcm docker-images] WARNING: %s\n' "$*" >&2
}
die() {
  printf '[bcm docker-images] ERROR: %s\n' "$*" >&2
  exit 1
}

DOCKER_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOCKER_IMAGES_CACHE="${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/bcm}/docker-images"
# The tags' repository prefix: bcm/NAME:HASH.
REPOSITORY=bcm
# Docker CLI 23+ without the buildx plugin falls back to the legacy builder anyway; saying
# so makes the build the same whether or not buildx is installed (the legacy builder uses a
# local FROM image as it is, and never asks a registry).
export DOCKER_BUILDKIT=0

usage() {
  cat <<EOF
Usage: images/docker/build.sh [--force] [NAME...]   build NAME (default: every image) or reuse it
       images/docker/build.sh --print [NAME...]     print what is built; exit 1 naming what is not
       images/docker/build.sh --prune               remove bcm/NAME tags of older inputs
       images/docker/build.sh --help

Images: $(image_names | paste -sd' ')

Each image is tagged ${REPOSITORY}/NAME:HASH on the local dockerd. HASH (16 hex digits) covers
images/docker/build.sh, images/docker/lib/, the files in images/docker/NAME/ (path, content,
executable bit), the repository folder its Dockerfile names in "# bcm-source: DIR" (our own
Go services), and the parent: the parent image's tag, or for debian the fingerprint of the
bcm-base LXD image whose rootfs.tar.gz it imports. When the tag exists nothing is built. Parents are built
first (debian first, and bcm-base with images/build.sh if it is missing).

The last line on stdout is a JSON object: image name -> tag, for the named images and their
parents, e.g. {"debian":"bcm/debian:0123456789abcdef","tor":"bcm/tor:..."}. Progress goes
to stderr, build logs to ${DOCKER_IMAGES_CACHE}/NAME-HASH.log.

  --force   rebuild the named images (default: all) without the layer cache, which picks up
            new Debian packages; their tags stay the same
  --print   does not build and does not need root, only access to dockerd

Building needs root (it runs images/build.sh for bcm-base, and drives dockerd).
EOF
}

# now: seconds since the epoch, with microseconds. since START: seconds elapsed, 1 decimal.
now() {
  printf '%s' "${EPOCHREALTIME}"
}
since() {
  awk -v s="${1}" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", n - s }'
}

# image_exists NAME: true when images/docker/NAME/Dockerfile exists.
image_exists() {
  [[ "${1}" =~ ^[a-z0-9][a-z0-9-]*$ && -f "${DOCKER_IMAGES_DIR}/${1}/Dockerfile" ]]
}

# directive NAME KEY: the value of a "# bcm-KEY: VALUE" line of NAME's Dockerfile.
directive() {
  sed -n -e "s/^#[[:space:]]*bcm-${2}:[[:space:]]*\([A-Za-z0-9._/-]*\).*/\1/p" \
    "${DOCKER_IMAGES_DIR}/${1}/Dockerfile" | head -n 1
}

# image_parent NAME: the bcm Docker image NAME is built FROM ("# bcm-parent: debian"),
# empty for an image that imports an LXD image ("# bcm-import: bcm-base").
image_parent() {
  local parent
  parent="$(directive "${1}" parent)"
  if [[ -z "${parent}" && -z "$(directive "${1}" import)" ]]; then
    die "images/docker/${1}/Dockerfile says neither '# bcm-parent: NAME' nor '# bcm-import: LXD-IMAGE'"
  fi
  [[ -z "${parent}" ]] || image_exists "${parent}" || die "${1}: parent image '${parent}' has no images/docker/${parent}/Dockerfile"
  printf '%s' "${parent}"
}

# image_depth comes from images/lib.sh; it calls the image_parent above.

# image_names: every image, parents before children.
image_names() {
  local file name
  for file in "${DOCKER_IMAGES_DIR}"/*/Dockerfile; do
    name="$(basename "$(dirname "${file}")")"
    printf '%s %s\n' "$(image_depth "${name}")" "${name}"
  done | LC_ALL=C sort -k1,1n -k2,2 | cut -d' ' -f2
}

# with_parents NAME...: the names and their parents, parents first, each once.
with_parents() {
  local name
  local -A wanted=()
  for name in "$@"; do
    while [[ -n "${name}" ]]; do
      wanted["${name}"]=1
      name="$(image_parent "${name}")"
    done
  done
  while read -r name; do
    [[ -z "${wanted[${name}]:-}" ]] || printf '%s\n' "${name}"
  done < <(image_names)
}

# lxd_image_dir LXD-NAME: the cache directory of a built LXD image (images/build.sh),
# or exit status 1 when it is not built.
lxd_image_dir() {
  bash "${BCM_IMAGES_DIR}/build.sh" --print "${1}" 2>/dev/null
}

# TAGS[NAME]: NAME's tag, bcm/NAME:HASH, once compute_tag has run for it (empty when its
# base is not built yet, so that the tag cannot be known).
declare -A TAGS=()

# image_base NAME: what NAME is built on, as it enters the hash: the parent's tag, or
# "lxd:<name>:<fingerprint>" for the imported LXD image. Exit status 1 when that is not
# built yet.
image_base() {
  local parent import dir
  parent="$(image_parent "${1}")"
  if [[ -n "${parent}" ]]; then
    [[ -n "${TAGS[${parent}]:-}" ]] || return 1
    printf '%s' "${TAGS[${parent}]}"
    return 0
  fi
  import="$(directive "${1}" import)"
  dir="$(lxd_image_dir "${import}")" || return 1
  [[ -s "${dir}/fingerprint" ]] || return 1
  printf 'lxd:%s:%s' "${import}" "$(cat "${dir}/fingerprint")"
}

# image_hash NAME: 16 hex digits of the sha256 over the inputs of NAME.
image_hash() {
  local name="${1}" base
  base="$(image_base "${name}")" || return 1
  {
    printf 'bcm-docker-image v1\nname=%s\nbase=%s\n' "${name}" "${base}"
    (
      cd "${DOCKER_IMAGES_DIR}"
      local -a files=()
      mapfile -d '' -t files < <(find build.sh lib "${name}" -type f ! -name '*~' ! -name '.*.swp' -print0 | LC_ALL=C sort -z)
      sha256sum "${files[@]}"
      stat -c '%A %n' "${files[@]}" | awk '{ print "user-x=" substr($1, 4, 1), $2 }'
    )
    # An image of our own code ("# bcm-source: services/NAME") covers that source too.
    local source
    source="$(directive "${name}" source)"
    if [[ -n "${source}" ]]; then
      (
        cd "${DOCKER_IMAGES_DIR}/../.."
        [[ -d "${source}" ]] || die "${name}: bcm-source ${source} is not a directory of the repository"
        local -a files=()
        mapfile -d '' -t files < <(find "${source}" -type f ! -name '*~' ! -name '.*.swp' -print0 | LC_ALL=C sort -z)
        sha256sum "${files[@]}"
      )
    fi
  } | sha256sum | cut -c1-16
}

# compute_tags NAME...: fill TAGS for the names, which come parents first (with_parents).
compute_tags() {
  local name hash
  for name in "$@"; do
    if hash="$(image_hash "${name}")"; then
      TAGS["${name}"]="${REPOSITORY}/${name}:${hash}"
    else
      TAGS["${name}"]=""
    fi
  done
}

docker_has() {
  docker image inspect "${1}" >/dev/null 2>&1
}

# json NAME=TAG...: {"NAME":"TAG",...}
json() {
  local pair out="" sep=""
  for pair in "$@"; do
    out+="${sep}\"${pair%%=*}\":\"${pair#*=}\""
    sep=","
  done
  printf '{%s}\n' "${out}"
}

require_docker() {
  command -v docker >/dev/null 2>&1 || die "no docker client on PATH (run: bash scripts/host/ensure-all.sh)"
  local err
  if ! err="$(timeout 20 docker info 2>&1 >/dev/null)"; then
    if [[ "${err}" == *"permission denied"* ]]; then
      die "no permission to talk to dockerd: run as root (or, for --print, as a member of the docker group)"
    fi
    die "dockerd does not answer 'docker info' (start it with: bash scripts/host/ensure-all.sh)"
  fi
}

take_lock() {
  mkdir -p "${DOCKER_IMAGES_CACHE}"
  exec 8>"${DOCKER_IMAGES_CACHE}/.lock"
  if ! flock -n 8; then
    log "waiting for another build of the docker images (lock ${DOCKER_IMAGES_CACHE}/.lock)"
    flock -w 3600 8 || die "could not take ${DOCKER_IMAGES_CACHE}/.lock within an hour"
  fi
}

# run_logged LOG DESCRIPTION CMD...: CMD's output appended to LOG; on failure the end of
# the log and stop.
run_logged() {
  local logfile="${1}" what="${2}" start
  shift 2
  start="$(now)"
  printf '\n===== %s: %s\n' "$(date -u +%FT%TZ)" "${what}" >>"${logfile}"
  if ! "$@" >>"${logfile}" 2>&1; then
    grep -v -e '^DEPRECATED: The legacy builder' -e '^ *BuildKit is currently disabled' \
      -e '^ *environment-variable\.' "${logfile}" | tail -n 30 | sed 's/^/    /' >&2
    die "${what} failed (full log: ${logfile})"
  fi
  log "  ${what}: $(since "${start}") s"
}

# import_rootfs LXD-NAME TAG LOG: `docker import` the rootfs.tar.gz of a built LXD image,
# without its /etc/resolv.conf (bcm-base's is a symlink to systemd-resolved's stub; Docker
# provides the file in every container).
import_rootfs() {
  local dir="${1}" tag="${2}"
  local -a filter=(cat)
  if tar -tzf "${dir}/rootfs.tar.gz" | grep -qx './etc/resolv.conf'; then
    filter=(tar --delete -f - ./etc/resolv.conf)
  fi
  gzip -dc "${dir}/rootfs.tar.gz" | "${filter[@]}" |
    docker import --message "rootfs.tar.gz of ${dir##*/}" - "${tag}"
}

# remove_images ID...: remove the given images, which this script made; quietly skip any
# that are in use or already gone.
remove_images() {
  [[ "$#" -gt 0 ]] || return 0
  docker rmi "$@" >/dev/null 2>&1 || true
}

# The imported rootfs and the images of a first build stage (LABEL
# bcm.docker-images.stage=NAME-slim) serve only one build: removed after it, and on exit
# when it fails.
LEFTOVER_IMPORT=""
LEFTOVER_STAGE=""
LEFTOVER_CONTEXT=""
remove_build_leftovers() {
  local -a stage=()
  if [[ -n "${LEFTOVER_STAGE}" ]]; then
    mapfile -t stage < <(docker images -a -q --filter "label=bcm.docker-images.stage=${LEFTOVER_STAGE}" | sort -u)
    remove_images "${stage[@]}"
  fi
  [[ -z "${LEFTOVER_IMPORT}" ]] || remove_images "${LEFTOVER_IMPORT}"
  [[ -z "${LEFTOVER_CONTEXT}" ]] || rm -rf "${LEFTOVER_CONTEXT}"
  LEFTOVER_IMPORT=""
  LEFTOVER_CONTEXT=""
  LEFTOVER_STAGE=""
}
trap remove_build_leftovers EXIT

build_image() {
  local name="${1}" force="${2}" tag base start logfile import="" import_tag="" dir size
  tag="${TAGS[${name}]}"
  [[ -n "${tag}" ]] || die "${name}: cannot compute its tag (its base is not built)"
  if [[ "${force}" -eq 0 ]] && docker_has "${tag}"; then
    log "${name}: reusing ${tag} (built by another run, or its parent turned out to be unchanged)"
    return 0
  fi
  start="$(now)"
  mkdir -p "${DOCKER_IMAGES_CACHE}"
  logfile="${DOCKER_IMAGES_CACHE}/${name}-${tag##*:}.log"
  : >"${logfile}"
  base="$(image_base "${name}")"
  log "${name}: building ${tag} on ${base}"

  if [[ -z "$(image_parent "${name}")" ]]; then
    import="$(directive "${name}" import)"
    dir="$(lxd_image_dir "${import}")"
    import_tag="${REPOSITORY}/${name}-import:${tag##*:}"
    LEFTOVER_IMPORT="${import_tag}"
    LEFTOVER_STAGE="${name}-slim"
    run_logged "${logfile}" "docker import ${dir}/rootfs.tar.gz" import_rootfs "${dir}" "${import_tag}"
    base="${import_tag}"
  fi

  local -a args=(--pull=false --rm --force-rm
    --build-arg "BASE=${base}"
    --label "bcm.docker-image=${name}"
    --label "bcm.docker-image.hash=${tag##*:}"
    --label "org.opencontainers.image.title=${REPOSITORY}/${name}"
    -t "${tag}")
  [[ "${force}" -eq 0 ]] || args+=(--no-cache)
  local previous=""
  previous="$(docker image inspect -f '{{.Id}}' "${tag}" 2>/dev/null || true)"
  local context="${DOCKER_IMAGES_DIR}/${name}"
  if [[ -f "${context}/prepare.sh" ]]; then
    # An image whose files come from outside Debian (Go modules, Maven artifacts) fetches and
    # builds them on the host into a copy of its directory; the pinned versions live in
    # prepare.sh, so they are part of the tag's hash. Go builds share the one build cache the
    # engine and the Go tests use (BCM's cache dir), so lnd compiles once on a new machine.
    context="$(mktemp -d "${DOCKER_IMAGES_CACHE}/${name}-context.XXXXXX")"
    LEFTOVER_CONTEXT="${context}"
    cp -a "${DOCKER_IMAGES_DIR}/${name}/." "${context}/"
    run_logged "${logfile}" "images/docker/${name}/prepare.sh" \
      env BCM_CACHE_DIR="${DOCKER_IMAGES_CACHE%/docker-images}" BCM_DOCKER_LIB="${DOCKER_IMAGES_DIR}/lib" BCM_REPO="$(cd "${DOCKER_IMAGES_DIR}/../.." && pwd)" \
        GOCACHE="${GOCACHE:-${DOCKER_IMAGES_CACHE%/docker-images}/go-build}" bash "${context}/prepare.sh" "${context}"
  fi
  run_logged "${logfile}" "docker build images/docker/${name}" docker build "${args[@]}" "${context}"

  remove_build_leftovers
  if [[ -n "${previous}" && "${previous}" != "$(docker image inspect -f '{{.Id}}' "${tag}")" ]]; then
    remove_images "${previous}" # replaced by --force; kept if a container still uses it
  fi
  size="$(docker image inspect -f '{{.Size}}' "${tag}")"
  log "${name}: built ${tag} in $(since "${start}") s ($((size / 1000000)) MB)"
}

print_built() {
  local name tag
  local -a pairs=() missing=()
  for name in "$@"; do
    tag="${TAGS[${name}]}"
    if [[ -n "${tag}" ]] && docker_has "${tag}"; then
      pairs+=("${name}=${tag}")
    else
      missing+=("${name}${tag:+ (${tag})}")
    fi
    tag=""
  done
  json "${pairs[@]}"
  if [[ "${#missing[@]}" -gt 0 ]]; then
    log "not built: ${missing[*]} (build with: images/docker/build.sh)"
    return 1
  fi
}

prune() {
  local name ref current
  for name in $(image_names); do
    current="${TAGS[${name}]}"
    while read -r ref; do
      [[ -n "${ref}" && "${ref}" != "${current}" && "${ref}" != *"<none>"* ]] || continue
      if docker rmi "${ref}" >/dev/null 2>&1; then
        log "prune: removed ${ref}"
      else
        warn "prune: could not remove ${ref} (a container uses it?)"
      fi
    done < <(docker images --filter "label=bcm.docker-image=${name}" --format '{{.Repository}}:{{.Tag}}' "${REPOSITORY}/${name}")
    for ref in "${DOCKER_IMAGES_CACHE}/${name}"-*.log; do
      [[ -f "${ref}" && "${ref}" != "${DOCKER_IMAGES_CACHE}/${name}-${current##*:}.log" ]] || continue
      rm -f "${ref}"
    done
  done
}

main() {
  local mode=build force=0 start name tag
  local -a names=()
  start="$(now)"
  while [[ $# -gt 0 ]]; do
    case "${1}" in
      -h | --help)
        usage
        return 0
        ;;
      --print) mode=print ;;
      --prune) mode=prune ;;
      --force) force=1 ;;
      -*)
        usage >&2
        die "unknown option: ${1}"
        ;;
      *)
        image_exists "${1}" || die "unknown image '${1}' (images: $(image_names | paste -sd' '))"
        names+=("${1}")
        ;;
    esac
    shift
  done
  if [[ "${#names[@]}" -eq 0 ]]; then
    mapfile -t names < <(image_names)
  fi
  # --force applies to the names given (all by default), not to their parents.
  local -A named=()
  for name in "${names[@]}"; do
    named["${name}"]=1
  done
  mapfile -t names < <(with_parents "${names[@]}")
  if [[ "${mode}" != print && "$(id -u)" -ne 0 ]]; then
    die "images/docker/build.sh must run as root (it builds bcm-base with images/build.sh and drives dockerd); run it with sudo, or use --print, which only reads"
  fi
  require_docker
  compute_tags "${names[@]}"

  case "${mode}" in
    print)
      print_built "${names[@]}"
      return
      ;;
    prune)
      prune
      return
      ;;
  esac

  local -a pairs=() todo=()
  for name in "${names[@]}"; do
    tag="${TAGS[${name}]}"
    if [[ "${force}" -eq 0 || -z "${named[${name}]:-}" ]] && [[ -n "${tag}" ]] && docker_has "${tag}"; then
      log "${name}: reusing ${tag}"
    else
      todo+=("${name}")
    fi
  done
  if [[ "${#todo[@]}" -gt 0 ]]; then
    take_lock
    for name in "${todo[@]}"; do
      if [[ -z "$(image_parent "${name}")" ]]; then
        local import
        import="$(directive "${name}" import)"
        if ! lxd_image_dir "${import}" >/dev/null; then
          log "${name}: building the LXD image ${import} first (images/build.sh ${import})"
          bash "${BCM_IMAGES_DIR}/build.sh" "${import}" >/dev/null
        fi
      fi
      # A tag depends on its parent's, known only once the parent is built (debian's
      # covers bcm-base's fingerprint).
      compute_tags "${name}"
      if [[ -n "${named[${name}]:-}" ]]; then
        build_image "${name}" "${force}"
      else
        build_image "${name}" 0
      fi
    done
  fi
  for name in "${names[@]}"; do
    pairs+=("${name}=${TAGS[${name}]}")
  done
  log "done in $(since "${start}") s"
  json "${pairs[@]}"
}

main "$@"
