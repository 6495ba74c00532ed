#!/bin/sh
# The browser tests drive Debian's Chromium at /usr/bin/chromium. `make test` runs this first:
# install it when this user can (root, or password-less sudo, with apt-get); otherwise stop with
# one line saying exactly what to run.
set -eu
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  else
    as_root="none"
  fi
  if [ "$as_root" != none ]; then
    echo "Installing Debian's chromium for the browser tests (apt-get, once) ..."
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
    [ -x "$CHROMIUM" ] && exit 0
  fi
fi
echo "error: the browser tests need Chromium at $CHROMIUM: run 'sudo apt-get install -y chromium', then 'make test' again" >&2
exit 1
