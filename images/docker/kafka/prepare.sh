#!/usr/bin/env bash
# prepare.sh CONTEXT: fills bcm/kafka's build context (a copy of images/docker/kafka made by
# images/docker/build.sh) with Kafka's jars from Maven Central:
#   CONTEXT/libs/                  the class path: the runtime dependencies of pom.xml
#   CONTEXT/plugins/connect-file/  the FileStream connectors, a Kafka Connect plugin
# and checks every jar against jars.sha256 (names and sha256), so that the image holds exactly
# the pinned files whatever the mirror serves. Maven's local repository (~/.m2/repository, or
# BCM_MAVEN_REPO_LOCAL) is the cache: a second run downloads nothing.
#
# prepare.sh --write-sums: after a change to pom.xml, fetch the jars into a temporary
# directory and write images/docker/kafka/jars.sha256 beside this script.
set -euo pipefail

log() {
  printf '[bcm kafka prepare] %s\n' "$*" >&2
}
die() {
  printf '[bcm kafka prepare] ERROR: %s\n' "$*" >&2
  exit 1
}

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ensure_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  [[ "$(id -u)" -eq 0 ]] || die "mvn is not installed: apt-get install maven (as root), then run this again"
  log "installing Debian's maven (mvn is missing)"
  export DEBIAN_FRONTEND=noninteractive
  local -a cmd=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 maven)
  if ! "${cmd[@]}" >/dev/null; then
    apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
    "${cmd[@]}" >/dev/null || die "apt-get install maven failed"
  fi
}

# fetch POM-DIR OUT: the jars into OUT/libs and OUT/plugins/connect-file.
fetch() {
  local pom_dir="${1}" out="${2}"
  local -a mvn=(mvn -B -ntp -C -Dstyle.color=never -f "${pom_dir}/pom.xml")
  [[ -z "${BCM_MAVEN_REPO_LOCAL:-}" ]] || mvn+=("-Dmaven.repo.local=${BCM_MAVEN_REPO_LOCAL}")
  rm -rf "${out}/libs" "${out}/plugins"
  mkdir -p "${out}/libs" "${out}/plugins/connect-file"
  if ! "${mvn[@]}" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="${out}/libs" >"${out}/.maven.log" 2>&1; then
    tail -n 40 "${out}/.maven.log" >&2
    die "mvn dependency:copy-dependencies failed (the end of its log is above)"
  fi
  local plugin
  plugin="$(find "${out}/libs" -maxdepth 1 -name 'connect-file-*.jar' -print -quit)"
  [[ -n "${plugin}" ]] || die "no connect-file jar among the dependencies of ${pom_dir}/pom.xml"
  mv "${plugin}" "${out}/plugins/connect-file/"
  chmod 0644 "${out}"/libs/*.jar "${out}"/plugins/connect-file/*.jar
}

# sums OUT: "sha256  libs/NAME" lines, sorted.
sums() {
  (cd "${1}" && find libs plugins -type f -name '*.jar' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

main() {
  [[ "$#" -eq 1 ]] || die "usage: prepare.sh CONTEXT | prepare.sh --write-sums"
  ensure_maven
  if [[ "${1}" == --write-sums ]]; then
    TMP="$(mktemp -d)"
    trap 'rm -rf "${TMP}"' EXIT
    fetch "${HERE}" "${TMP}"
    sums "${TMP}" >"${HERE}/jars.sha256"
    log "wrote ${HERE}/jars.sha256 ($(wc -l <"${HERE}/jars.sha256") jars)"
    return 0
  fi
  local context="${1}"
  [[ -f "${context}/pom.xml" && -f "${context}/jars.sha256" ]] ||
    die "${context} is not a copy of images/docker/kafka (no pom.xml and jars.sha256)"
  fetch "${context}" "${context}"
  local got
  got="$(sums "${context}")"
  if [[ "${got}" != "$(cat "${context}/jars.sha256")" ]]; then
    diff <(cat "${context}/jars.sha256") <(printf '%s\n' "${got}") | sed 's/^/    /' >&2 || true
    die "the jars differ from images/docker/kafka/jars.sha256 (above: < pinned, > fetched). After a deliberate change to pom.xml, run: bash images/docker/kafka/prepare.sh --write-sums"
  fi
  rm -f "${context}/.maven.log"
  log "$(wc -l <"${context}/jars.sha256") jars, $(du -sm "${context}/libs" | cut -f1) MB, match jars.sha256"
}

main "$@"
