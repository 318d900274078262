#!/bin/sh
# Runs a command with Node.js >= 22 on PATH and the dependencies installed.
# Where the system Node is older (or missing), Node 24 is fetched from the npm
# registry (package node-<os>-<arch>@24) into .tools/, and native modules are
# built against its headers. Nothing is fetched when the system Node will do.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)

# Node >= 22.18 runs TypeScript directly (type stripping on by default).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; then
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  pkg="node-$os-$arch"
  node_home="$root/.tools/node_modules/$pkg"
  if [ ! -x "$node_home/bin/node" ]; then
    echo "with-node: system Node is $(node --version 2>/dev/null || echo 'missing'); fetching Node 24 ($pkg@24) from npm into .tools/" >&2
    npm install --prefix "$root/.tools" --no-save --no-audit --no-fund --loglevel=error "$pkg@24" >&2
  fi
  PATH="$node_home/bin:$PATH"
  npm_config_nodedir="$node_home"
  export PATH npm_config_nodedir
fi

# Install (or re-install) dependencies when the lock file is newer than the install.
stamp="$root/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ] || [ "$root/package.json" -nt "$stamp" ]; then
  echo "with-node: installing dependencies with Node $(node --version)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

PATH="$root/node_modules/.bin:$PATH"
export PATH
cd "$root"
exec "$@"
