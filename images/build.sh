#!/usr/bin/env bash
# Builds (or reuses) BCM's LXD system-container images as split images
# (metadata.tar.gz + rootfs.tar.gz) in a cache directory outside the repository, keyed
# by the hash of the image's recipe. See images/README.md.
set -euo pipefail

# shellcheck source=images/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=images/recipe.env
source "${BCM_IMAGES_DIR}/recipe.env"

usage() {
  cat <<EOF
Usage: ${BCM_SCRIPT_NAME} [--force] [NAME...]    build NAME (default: every image), or reuse it
       ${BCM_SCRIPT_NAME} --print NAME           print NAME's directory if built (exit 1 if not)
       ${BCM_SCRIPT_NAME} --hash NAME            print NAME's recipe hash
       ${BCM_SCRIPT_NAME} --prune                delete cached images of older recipes
       ${BCM_SCRIPT_NAME} --help

Images: $(image_names | paste -sd' ')

Each image is built into \${BCM_CACHE_DIR:-~/.cache/bcm}/images/NAME-HASH/, where HASH
covers images/{build.sh,lib.sh,chroot-run.sh,in-chroot.sh,recipe.env,lxd-templates/} and
images/NAME/ (and, for a derived image, the parent's hash). The directory holds
metadata.tar.gz, rootfs.tar.gz, fingerprint (the LXD image fingerprint), packages.tsv,
build.log and .complete. When .complete exists for the current hash nothing is rebuilt.
A derived image (PARENT= in image.env) builds its parent first. The last line on stdout is
the directory of the last image named.

  --force   rebuild the named images even if they are cached (not their parents)

Environment:
  BCM_CACHE_DIR               cache root (default ~/.cache/bcm)
  BCM_DEBIAN_MIRROR           download from here instead of ${DEBIAN_MIRROR}
  BCM_DEBIAN_SECURITY_MIRROR  download from here instead of ${DEBIAN_SECURITY_MIRROR}
EOF
}

APT_CACHE="${BCM_IMAGES_CACHE}/apt-cache"
BUILD_MIRROR="${BCM_DEBIAN_MIRROR:-${DEBIAN_MIRROR}}"
BUILD_SECURITY_MIRROR="${BCM_DEBIAN_SECURITY_MIRROR:-${DEBIAN_SECURITY_MIRROR}}"
FORCE=0
LOCKED=0
STEP_LOG=""

# take_lock: one build at a time per cache directory (the apt caches are shared).
take_lock() {
  [[ "${LOCKED}" -eq 0 ]] || return 0
  mkdir -p "${BCM_IMAGES_CACHE}"
  exec 8>"${BCM_IMAGES_CACHE}/.lock"
  if ! flock -n 8; then
    log "waiting for another image build (lock ${BCM_IMAGES_CACHE}/.lock)"
    flock -w 3600 8 || die "could not take ${BCM_IMAGES_CACHE}/.lock within an hour"
  fi
  LOCKED=1
}

# run DESCRIPTION CMD...: run CMD with its output appended to the build log; on failure
# show the end of the log and stop.
run() {
  local what="${1}" start="${SECONDS}"
  shift
  printf '\n===== %s: %s\n' "$(date -u +%FT%TZ)" "${what}" >>"${STEP_LOG}"
  if ! "$@" >>"${STEP_LOG}" 2>&1; then
    tail -n 30 "${STEP_LOG}" | sed 's/^/    /' >&2
    die "${what} failed (full log: ${STEP_LOG})"
  fi
  log "  ${what}: $((SECONDS - start)) s"
}

# packages_of NAME: the package names in images/NAME/packages, one per line.
packages_of() {
  local file="${BCM_IMAGES_DIR}/${1}/packages"
  [[ -f "${file}" ]] || return 0
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "${file}"
}

# build_sources FILE: apt sources (deb822) for downloading during the build.
build_sources() {
  cat >"${1}" <<EOF
Types: deb
URIs: ${BUILD_MIRROR}
Suites: ${SUITE} ${SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${BUILD_SECURITY_MIRROR}
Suites: ${SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

bootstrap_rootfs() {
  local name="${1}" rootfs="${2}" include
  host_apt_ensure debootstrap debian-archive-keyring
  include="$(packages_of "${name}" | paste -sd,)"
  mkdir -p "${APT_CACHE}/debootstrap"
  run "debootstrap --variant=minbase ${SUITE} (+${include})" \
    debootstrap --variant=minbase --arch="${DEB_ARCH}" --include="${include}" \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    --cache-dir="${APT_CACHE}/debootstrap" "${SUITE}" "${rootfs}" "${BUILD_MIRROR}"
}

# overlay_files NAME ROOTFS: copy images/NAME/rootfs/ into the tree, owned by root, without
# group/other write (a checkout's umask must not leak into the image), existing
# directories untouched.
overlay_files() {
  local src="${BCM_IMAGES_DIR}/${1}/rootfs"
  [[ -d "${src}" ]] || return 0
  tar -C "${src}" --owner=0 --group=0 --numeric-owner --mode=go-w -cf - . |
    tar -C "${2}" --no-overwrite-dir --no-same-owner -xpf -
}

# finalize_rootfs ROOTFS: strip what is build-specific or regenerated on boot, so the
# tree is small and the same recipe gives the same tarball.
finalize_rootfs() {
  local r="${1}"
  # apt and dpkg caches, logs, backups.
  rm -rf "${r}"/var/lib/apt/lists/* "${r}"/var/cache/apt/*.bin \
    "${r}"/var/cache/apt/archives/* "${r}"/var/cache/debconf/*-old \
    "${r}"/var/lib/dpkg/*-old "${r}"/var/cache/ldconfig/aux-cache \
    "${r}"/etc/passwd- "${r}"/etc/group- "${r}"/etc/shadow- "${r}"/etc/gshadow- \
    "${r}"/etc/subuid- "${r}"/etc/subgid- "${r}"/root/.bash_history \
    "${r}"/etc/resolv.conf.bcm-build
  mkdir -p "${r}/var/cache/apt/archives/partial" "${r}/var/lib/apt/lists/partial"
  find "${r}/var/log" -type f -delete
  # Each container gets its own machine id at first boot; the hostname comes from the
  # LXD template.
  : >"${r}/etc/machine-id"
  rm -f "${r}/var/lib/dbus/machine-id" "${r}/etc/hostname"
  # Password ages count days since 1970: pin them to the recipe's date.
  local shadow="${r}/etc/shadow"
  if [[ -f "${shadow}" ]]; then
    awk -F: -v OFS=: -v d="$((SOURCE_DATE_EPOCH / 86400))" '$3 != "" { $3 = d } { print }' \
      "${shadow}" >"${shadow}.new"
    cat "${shadow}.new" >"${shadow}" # keeps the file's owner and mode
    rm -f "${shadow}.new"
  fi
  # Documentation that debootstrap unpacked before the dpkg path-exclude existed.
  if [[ -f "${r}/etc/dpkg/dpkg.cfg.d/90bcm-nodoc" ]]; then
    find "${r}/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "${r}/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
    rm -rf "${r}"/usr/share/man/* "${r}"/usr/share/info/* "${r}"/usr/share/lintian/*
    find "${r}/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  fi
  # LXD wants /dev empty; /run and /tmp start empty.
  rm -rf "${r:?}"/dev/* "${r:?}"/run/* "${r:?}"/tmp/* "${r:?}"/var/tmp/*
  mkdir -p "${r}/dev" "${r}/proc" "${r}/sys" "${r}/run" "${r}/tmp"
  chmod 1777 "${r}/tmp" "${r}/var/tmp"
}

# write_metadata NAME DIR: metadata.yaml and templates/ for LXD. Nothing build-specific
# (no recipe hash, no build time) goes in, so the same rootfs gives the same fingerprint.
write_metadata() {
  local name="${1}" dir="${2}"
  mkdir -p "${dir}/templates"
  cp "${BCM_IMAGES_DIR}"/lxd-templates/*.tpl "${dir}/templates/"
  {
    printf 'architecture: %s\n' "${LXD_ARCH}"
    printf 'creation_date: %s\n' "${SOURCE_DATE_EPOCH}"
    printf 'properties:\n'
    printf '  architecture: %s\n' "${DEB_ARCH}"
    # Double-quoted: a description may contain ": ".
    printf '  description: "%s"\n' "$(image_var "${name}" DESCRIPTION | sed 's/[\\"]/\\&/g')"
    printf '  name: %s\n' "${name}"
    printf '  os: debian\n'
    printf '  release: %s\n' "${SUITE}"
    printf '  variant: %s\n' "${name#bcm-}"
    sed -e '/^[[:space:]]*#/d' "${BCM_IMAGES_DIR}/lxd-templates/templates.yaml"
  } >"${dir}/metadata.yaml"
}

# pack DIR OUT: a reproducible gzip tarball of DIR's contents: sorted names, numeric
# owners, mtimes clamped to SOURCE_DATE_EPOCH, no gzip name/time.
pack() {
  tar -C "${1}" --sort=name --numeric-owner --format=gnu \
    --mtime="@${SOURCE_DATE_EPOCH}" --clamp-mtime -cf - . | gzip -n -6 >"${2}"
}

build_image() {
  local name="${1}" force="${2}" hash out partial parent rootfs start
  hash="$(recipe_hash "${name}")"
  out="${BCM_IMAGES_CACHE}/${name}-${hash}"
  parent="$(image_parent "${name}")"

  if [[ "${force}" -eq 0 && -f "${out}/.complete" ]]; then
    log "${name}: reusing ${out}"
    return 0
  fi
  local parent_out=""
  if [[ -n "${parent}" ]]; then
    build_image "${parent}" 0
    parent_out="$(image_out "${parent}")"
  fi
  take_lock
  if [[ "${force}" -eq 0 && -f "${out}/.complete" ]]; then
    log "${name}: reusing ${out} (built meanwhile)"
    return 0
  fi

  start="${SECONDS}"
  log "${name}: building recipe ${hash}${parent:+ on ${parent}}"
  partial="${out}.partial"
  safe_rm "${partial}"
  mkdir -p "${partial}"
  STEP_LOG="${partial}/build.log"
  rootfs="${partial}/rootfs"

  if [[ -z "${parent}" ]]; then
    bootstrap_rootfs "${name}" "${rootfs}"
  else
    mkdir -p "${rootfs}"
    run "unpack ${parent} rootfs" tar -C "${rootfs}" --numeric-owner -xpzf "${parent_out}/rootfs.tar.gz"
  fi
  overlay_files "${name}" "${rootfs}"

  local payload="${partial}/payload"
  mkdir -p "${payload}/sources.d"
  cp "${BCM_IMAGES_DIR}/in-chroot.sh" "${payload}/"
  packages_of "${name}" >"${payload}/packages"
  if [[ -f "${BCM_IMAGES_DIR}/${name}/customize.sh" ]]; then
    cp "${BCM_IMAGES_DIR}/${name}/customize.sh" "${payload}/"
  fi
  build_sources "${payload}/sources.d/build.sources"
  run "apt in chroot (update, dist-upgrade, install, customize.sh)" \
    env SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH}" \
    "${BCM_IMAGES_DIR}/chroot-run.sh" "${rootfs}" "${payload}" "${APT_CACHE}/apt"
  [[ -z "$(mounts_under "${rootfs}")" ]] || die "mounts left under ${rootfs}"

  finalize_rootfs "${rootfs}"
  dpkg-query --admindir="${rootfs}/var/lib/dpkg" -W -f='${Package}\t${Version}\n' >"${partial}/packages.tsv"
  log "  rootfs: $(du -sh --apparent-size "${rootfs}" | cut -f1), $(wc -l <"${partial}/packages.tsv") packages"

  # The tarballs carry no xattrs: stop rather than silently drop file capabilities.
  host_apt_ensure libcap2-bin
  local caps
  caps="$(getcap -r "${rootfs}" 2>/dev/null || true)"
  [[ -z "${caps}" ]] || die "file capabilities in the rootfs would be lost (tar without --xattrs): ${caps}"

  write_metadata "${name}" "${partial}/meta"
  run "metadata.tar.gz" pack "${partial}/meta" "${partial}/metadata.tar.gz"
  run "rootfs.tar.gz" pack "${rootfs}" "${partial}/rootfs.tar.gz"
  cat "${partial}/metadata.tar.gz" "${partial}/rootfs.tar.gz" | sha256sum | cut -d' ' -f1 >"${partial}/fingerprint"

  safe_rm "${rootfs}"
  rm -rf "${partial}/meta" "${payload}"
  touch "${partial}/.complete"
  safe_rm "${out}"
  mv "${partial}" "${out}"
  STEP_LOG=""
  log "${name}: built in $((SECONDS - start)) s: ${out}"
  log "  rootfs.tar.gz $(du -h "${out}/rootfs.tar.gz" | cut -f1), fingerprint $(cat "${out}/fingerprint")"
}

prune() {
  local dir base name keep
  take_lock
  for dir in "${BCM_IMAGES_CACHE}"/*-*; do
    [[ -d "${dir}" ]] || continue
    base="$(basename "${dir}")"
    name="${base%-*}"
    name="${name%.partial}"
    image_exists "${name}" || continue
    keep="$(basename "$(image_out "${name}")")"
    if [[ "${base}" != "${keep}" ]]; then
      log "prune: deleting ${dir}"
      safe_rm "${dir}"
    fi
  done
}

main() {
  local -a names=()
  local mode=build
  while [[ $# -gt 0 ]]; do
    case "${1}" in
      -h | --help)
        usage
        return 0
        ;;
      --print) mode="print" ;;
      --hash) mode="hash" ;;
      --prune) mode="prune" ;;
      --force) FORCE=1 ;;
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

  case "${mode}" in
    print | hash)
      [[ "${#names[@]}" -eq 1 ]] || die "--${mode} takes exactly one image name"
      if [[ "${mode}" == hash ]]; then
        recipe_hash "${names[0]}"
        return 0
      fi
      local out
      out="$(image_out "${names[0]}")"
      [[ -f "${out}/.complete" ]] || return 1
      printf '%s\n' "${out}"
      return 0
      ;;
    prune)
      prune
      return 0
      ;;
  esac

  if [[ "${#names[@]}" -eq 0 ]]; then
    mapfile -t names < <(image_names)
  fi
  local name
  for name in "${names[@]}"; do
    if [[ "${FORCE}" -eq 0 && -f "$(image_out "${name}")/.complete" ]]; then
      log "${name}: reusing $(image_out "${name}")"
      continue
    fi
    require_root
    build_image "${name}" "${FORCE}"
  done
  image_out "${names[-1]}"
  echo
}

main "$@"
