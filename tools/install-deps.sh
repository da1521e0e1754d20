#!/usr/bin/env bash
# Installs what gtanalyze needs on Debian bookworm, as root; safe to run again.
#   tools/install-deps.sh            build and test dependencies
#   tools/install-deps.sh --go       also the Go toolchains 1.19, 1.21-1.26 (corpus traces, references)
set -euo pipefail

want_go=0
for arg in "$@"; do
  case "$arg" in
    --go) want_go=1 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (apt-get install)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive

write_if_changed() {  # write_if_changed FILE  (content on stdin); prints 1 when the file changed
  local tmp; tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; echo 0; else mv "$tmp" "$1"; chmod 644 "$1"; echo 1; fi
}

changed=$(write_if_changed /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)

if [ "$want_go" = 1 ]; then
  # trixie only for golang-1.24..1.26, pinned below bookworm so nothing else is upgraded.
  # The blank line between the stanzas matters: without it trixie wins everywhere.
  c1=$(write_if_changed /etc/apt/preferences.d/trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: *
Pin: release n=trixie-backports
Pin-Priority: 100
PIN
)
  c2=$(write_if_changed /etc/apt/sources.list.d/trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
  [ "$c1$c2" != 00 ] && changed=1
fi

stamp=/var/lib/apt/periodic/gtanalyze-update-stamp
if [ "$changed" = 1 ] || [ ! -f "$stamp" ]; then
  apt-get update -q
  mkdir -p "$(dirname "$stamp")"; touch "$stamp"
fi

build_pkgs=(
  build-essential cmake ninja-build pkg-config git ccache
  libboost-iostreams-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  zlib1g-dev libzstd-dev zstd libxxhash-dev libprotozero-dev libre2-dev protobuf-compiler
  clang llvm libclang-rt-14-dev libelf-dev clang-format clang-tidy
  python3 python3-jsonschema python3-fastjsonschema time
)
# Node.js and npm run the export test's DuckDB; any Node.js 18+ will do, Debian's or one already there.
command -v npm >/dev/null || build_pkgs+=(nodejs npm)
missing=()
for p in "${build_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Catch2 v3, libbpf and bpftool come from bookworm-backports.
apt-get install -y -q --no-install-recommends -t bookworm-backports catch2 libbpf-dev bpftool >/dev/null

if [ "$want_go" = 1 ]; then
  apt-get install -y -q --no-install-recommends golang-1.19-go golang-1.19-src >/dev/null
  apt-get install -y -q --no-install-recommends -t bookworm-backports \
    golang-1.21-go golang-1.21-src golang-1.22-go golang-1.22-src golang-1.23-go golang-1.23-src >/dev/null
  trixie_pkgs=(golang-1.24-go golang-1.24-src golang-1.25-go golang-1.25-src golang-1.26-go golang-1.26-src)
  # Dry run first: refuse if anything but golang-1.2x packages would be installed or upgraded.
  plan=$(apt-get install -s -q --no-install-recommends -t trixie-backports "${trixie_pkgs[@]}")
  others=$(printf '%s\n' "$plan" | awk '/^Inst /{print $2}' | grep -v -E '^golang-1\.2[4-6]-(go|src)$' || true)
  # An upgrade shows the installed version in brackets right after the name: "Inst pkg [old] (new …)".
  upgrades=$(printf '%s\n' "$plan" | awk '/^Inst [^ ]+ \[/{print $2}')
  if [ -n "$others" ] || [ -n "$upgrades" ]; then
    echo "install-deps.sh: refusing the trixie install, it would also touch:" $others $upgrades >&2
    exit 1
  fi
  apt-get install -y -q --no-install-recommends -t trixie-backports "${trixie_pkgs[@]}" >/dev/null
  for v in 1.19 1.21 1.22 1.23 1.24 1.25 1.26; do
    [ -x "/usr/lib/go-$v/bin/go" ] || { echo "install-deps.sh: go $v missing after install" >&2; exit 1; }
  done
fi
echo "install-deps.sh: dependencies in place"
