#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20) into DEST, plus the Debian
# packages the e2e tests need. Idempotent. The workarounds are explained in docs toolchain.md §3.
# Usage: test/support/setupCodeServer.sh [DEST]   (default: .cache/code-server in the repo)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$(mkdir -p "${1:-$ROOT/.cache/code-server}" && cd "${1:-$ROOT/.cache/code-server}" && pwd)"
CS_VERSION=4.100.3
RG_CACHE_VERSION=1.15.11 # the @vscode/ripgrep version pinned by code-server's shrinkwrap

# System packages: chromium for the UI tests, libkrb5-dev for code-server's kerberos native module.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v krb5-config >/dev/null || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them with: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "installing ${need[*]} ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ -x "$DEST/node_modules/.bin/code-server" ] && exit 0

mkdir -p "$DEST/tmp"
# @vscode/ripgrep's postinstall downloads from GitHub (unreachable); it first looks in its cache under
# $TMPDIR, so seed that cache with rg from the npm registry tarball of @vscode/ripgrep-linux-x64.
RGC="$DEST/tmp/vscode-ripgrep-cache-$RG_CACHE_VERSION"
mkdir -p "$RGC"
(
  cd "$DEST/tmp"
  npm pack --silent @vscode/ripgrep-linux-x64@1.18.0 >/dev/null
  tar xzf vscode-ripgrep-linux-x64-1.18.0.tgz
  tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C package/bin rg
  rm -rf package ./*.tgz
)
cd "$DEST"
[ -f package.json ] || echo '{"name":"code-server-host","private":true}' > package.json
# unsafe_perm: code-server's install script refuses root otherwise; yes: node-pty's postinstall uses npx.
TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
[ -x "$DEST/node_modules/.bin/code-server" ]
