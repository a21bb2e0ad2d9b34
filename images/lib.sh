# shellcheck shell=bash
# Shared helpers for images/build.sh and images/verify.sh. Source it, do not run it.
# Part of every image's recipe hash.

case ":${PATH}:" in
  *:/usr/sbin:*) ;;
  *) PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin" ;;
esac
export PATH

BCM_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BCM_IMAGES_CACHE="${BCM_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME}/.cache}/bcm}/images"
BCM_SCRIPT_NAME="$(basename "${0}")"

log() {
  printf '[bcm images] %s\n' "$*" >&2
}

warn() {
  printf '[bcm images] WARNING: %s\n' "$*" >&2
}

die() {
  printf '[bcm images] ERROR: %s\n' "$*" >&2
  exit 1
}

require_root() {
  [[ "$(id -u)" -eq 0 ]] || die "${BCM_SCRIPT_NAME} must run as root"
}

# image_exists NAME: true when images/NAME/image.env exists.
image_exists() {
  [[ "${1}" =~ ^[a-z0-9][a-z0-9-]*$ && -f "${BCM_IMAGES_DIR}/${1}/image.env" ]]
}

# image_names: every image recipe, parents before children.
image_names() {
  local env name
  local -a names=()
  for env in "${BCM_IMAGES_DIR}"/*/image.env; do
    name="$(basename "$(dirname "${env}")")"
    names+=("${name}")
  done
  # Order by depth of the parent chain (bcm-base first).
  for name in "${names[@]}"; do
    printf '%s %s\n' "$(image_depth "${name}")" "${name}"
  done | LC_ALL=C sort -k1,1n -k2,2 | cut -d' ' -f2
}

# image_var NAME VAR: a variable of images/NAME/image.env.
image_var() {
  (
    # shellcheck disable=SC1090
    source "${BCM_IMAGES_DIR}/${1}/image.env"
    printf '%s' "${!2:-}"
  )
}

image_parent() {
  image_var "${1}" PARENT
}

image_depth() {
  local name="${1}" depth=0
  while [[ -n "$(image_parent "${name}")" ]]; do
    name="$(image_parent "${name}")"
    depth=$((depth + 1))
    ((depth < 10)) || die "image parents form a loop at ${name}"
  done
  printf '%s' "${depth}"
}

# recipe_files NAME: the files (relative to images/, NUL-separated, sorted) that make up the
# recipe of NAME, besides its parent's hash. README.md and verify.sh are not part of it.
recipe_files() {
  (
    cd "${BCM_IMAGES_DIR}" || exit 1
    find build.sh lib.sh in-chroot.sh chroot-run.sh recipe.env lxd-templates "${1}" \
      -type f ! -name '*~' ! -name '.*.swp' -print0 | LC_ALL=C sort -z
  )
}

# recipe_hash NAME: first 16 hex digits of the sha256 over the recipe files (path, content,
# executable bit) and, for a derived image, the parent's recipe hash.
recipe_hash() {
  local name="${1}" parent
  image_exists "${name}" || die "no image recipe images/${name}/image.env"
  parent="$(image_parent "${name}")"
  {
    printf 'bcm-image-recipe v1\nname=%s\n' "${name}"
    if [[ -n "${parent}" ]]; then
      printf 'parent=%s-%s\n' "${parent}" "$(recipe_hash "${parent}")"
    fi
    (
      cd "${BCM_IMAGES_DIR}" || exit 1
      recipe_files "${name}" | xargs -0 sha256sum
      recipe_files "${name}" | xargs -0 stat -c '%A %n' | awk '{print "user-x=" substr($1, 4, 1), $2}'
    )
  } | sha256sum | cut -c1-16
}

# image_out NAME: the cache directory of NAME for the current recipe.
image_out() {
  printf '%s/%s-%s' "${BCM_IMAGES_CACHE}" "${1}" "$(recipe_hash "${1}")"
}

# mounts_under DIR: mount points at or below DIR (deepest first).
mounts_under() {
  local dir
  dir="$(realpath -m "${1}")"
  findmnt -rn -o TARGET | awk -v d="${dir}" '$0 == d || index($0, d "/") == 1' | LC_ALL=C sort -r
}

# safe_rm DIR: remove a build tree, but never through a mount (a bind-mounted /dev or
# apt cache must not be emptied). Unmounts leftovers first and refuses if that fails.
safe_rm() {
  local dir="${1}" m
  [[ -e "${dir}" ]] || return 0
  while read -r m; do
    [[ -n "${m}" ]] || continue
    warn "unmounting leftover ${m}"
    umount "${m}" 2>/dev/null || umount -l "${m}" || true
  done < <(mounts_under "${dir}")
  if [[ -n "$(mounts_under "${dir}")" ]]; then
    die "refusing to delete ${dir}: still has mounts: $(mounts_under "${dir}" | tr '\n' ' ')"
  fi
  rm -rf --one-file-system "${dir}"
}

# pkg_installed PKG: true when the Debian package is installed on the host.
pkg_installed() {
  dpkg-query -W -f='${Status}' "${1}" 2>/dev/null | grep -q 'install ok installed'
}

# host_apt_ensure PKG...: install missing host packages (without recommends).
host_apt_ensure() {
  local pkg
  local -a missing=()
  for pkg in "$@"; do
    pkg_installed "${pkg}" || missing+=("${pkg}")
  done
  [[ "${#missing[@]}" -gt 0 ]] || return 0
  log "host: installing ${missing[*]}"
  local -a cmd=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
  if ! DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
    DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
  fi
}
