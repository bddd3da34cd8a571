#!/usr/bin/env bash
# System libraries crmdesk needs on Debian/Ubuntu: the libraries of Qt's platform plugins.
# Default: what the offscreen tests need; --gui adds what a real X11 window needs. No CJK font:
# crmdesk ships one (crmdesk/resources/fonts) and registers it when the PC has none.
# Needs root (or sudo without a password).
set -euo pipefail

packages=(fontconfig libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
          icu-devtools gcc g++)  # icupkg and C/C++ compilers: the Linux build (slim ICU data, numpy without BLAS)
# numpy is built from source for the packaged app: a Python without its headers needs them
include=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
if [ -n "$include" ] && [ ! -f "$include/Python.h" ]; then packages+=(python3-dev); fi
if [ "${1:-}" = "--gui" ]; then
  packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
             libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1)
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: no apt-get here; install Qt 6's platform libraries yourself" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "install-system-deps: missing ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
