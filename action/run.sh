#!/usr/bin/env bash
# The composite action's work (action.yml): install what the runner lacks, run the CLI on the event's
# pull request, copy the report files for the upload step, and hand the exit code to the last step (so
# the upload runs whatever the verdict). Inputs come as INPUT_* variables, never spliced into code.
# MYFAV_COWORKER_CLI replaces `npx --yes myfav-coworker@<version>` (the tests run the checkout's bin).
set -uo pipefail

action_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${GITHUB_OUTPUT:-/dev/null}"
work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/myfav-coworker"
mkdir -p "$work"
echo "exit-code=2" >>"$out"

version="$(node -p 'require(process.argv[1]).version' "$action_dir/package.json")"
if [ -n "${MYFAV_COWORKER_CLI:-}" ]; then
  read -r -a cli <<<"$MYFAV_COWORKER_CLI"
else
  cli=(npx --yes "myfav-coworker@$version")
fi

# A browser: the runner's Chrome/Chromium, else Playwright's Chromium for the version we depend on.
if [ -z "${MYFAV_BROWSER_PATH:-}" ] && ! command -v chromium chromium-browser google-chrome google-chrome-stable >/dev/null 2>&1; then
  echo "::group::Installing Chromium"
  pw="$(node -p 'require(process.argv[1]).dependencies["playwright-core"].replace(/^[^0-9]*/, "")' "$action_dir/package.json")"
  npx --yes "playwright@$pw" install --with-deps chromium
  echo "::endgroup::"
fi
# The sandbox: bubblewrap, and user namespaces (Ubuntu 24.04 restricts them through AppArmor). Changed
# only on GitHub's own runners, which are thrown away after the job.
if [ "${RUNNER_ENVIRONMENT:-}" = "github-hosted" ] && [ "$(uname -s)" = "Linux" ]; then
  command -v bwrap >/dev/null 2>&1 || sudo apt-get install -y -qq bubblewrap >/dev/null
  if [ "$(sysctl -n kernel.apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = "1" ]; then
    sudo sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
  fi
fi

# GitHub Enterprise: the token belongs to the runner's own server, which the CLI must know as the user's
# host (GH_HOST) before it sends a token there; Enterprise Server tokens go by GH_ENTERPRISE_TOKEN.
server_host="$(node -p 'new URL(process.env.GITHUB_SERVER_URL || "https://github.com").host')"
if [ "$server_host" != "github.com" ]; then
  export GH_HOST="$server_host"
  case "$server_host" in
    *.ghe.com) ;;
    *) export GH_ENTERPRISE_TOKEN="${GH_ENTERPRISE_TOKEN:-${GITHUB_TOKEN:-}}" ;;
  esac
fi

args=(simulate)
[ -n "${INPUT_PR:-}" ] && args+=("$INPUT_PR")
args+=(--json)
[ -n "${INPUT_APP_DIR:-}" ] && args+=(--app-dir "$INPUT_APP_DIR")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ "${INPUT_COMPARE_BASE:-true}" = "false" ] && args+=(--no-compare-base)
[ -z "${ANTHROPIC_API_KEY:-}" ] && args+=(--no-agent)

# Whose code is this? A branch of this repository was pushed by someone with write access (what the
# trust policy asks for); a fork's code runs only with trust-forks. Read from the event, as data.
fork="$(node -e '
  const fs = require("node:fs");
  let e = {};
  try { e = JSON.parse(fs.readFileSync(process.env.GITHUB_EVENT_PATH, "utf8")); } catch {}
  const pr = e.pull_request;
  if (!pr) { console.log("unknown"); process.exit(0); }
  const head = pr.head && pr.head.repo ? pr.head.repo.full_name : null;
  const base = pr.base && pr.base.repo ? pr.base.repo.full_name : null;
  console.log(head && base && head === base ? "no" : "yes");
')"
if [ "$fork" = "no" ] || [ "${INPUT_TRUST_FORKS:-false}" = "true" ]; then
  args+=(--trust)
fi
# A fork's pull_request run gets a read-only token: a comment or status would only fail.
if [ "$fork" = "yes" ] && [ "${GITHUB_EVENT_NAME:-}" = "pull_request" ]; then
  if [ "${INPUT_COMMENT:-true}" = "true" ] || [ "${INPUT_STATUS:-true}" = "true" ]; then
    echo "::notice title=myfav-coworker::A pull request from a fork: its token is read-only, so the verdict goes to the job summary, not the PR."
  fi
else
  [ "${INPUT_COMMENT:-true}" = "true" ] && args+=(--comment)
  [ "${INPUT_STATUS:-true}" = "true" ] && args+=(--status)
fi

export MYFAV_COWORKER_HOME="${MYFAV_COWORKER_HOME:-$work/home}"
"${cli[@]}" "${args[@]}" >"$work/result.json"
code=$?
echo "exit-code=$code" >>"$out"

# What the upload step takes: the report files of the job, not the whole artifact folder (no logs of
# the install, which can be large).
node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const [resultFile, outFile, dest] = process.argv.slice(1);
  let r;
  try { r = JSON.parse(fs.readFileSync(resultFile, "utf8")); } catch { process.exit(0); }
  const line = (k, v) => fs.appendFileSync(outFile, `${k}=${String(v ?? "").replace(/[\r\n]/g, " ")}\n`);
  line("verdict", r.verdict ?? "");
  line("job-id", r.job_id ?? r.id ?? "");
  const dir = r.artifacts && r.artifacts.dir;
  if (!dir || !fs.existsSync(dir)) process.exit(0);
  fs.mkdirSync(dest, { recursive: true });
  for (const name of ["report.html", "report.md", "report.json", "trace.zip", "app.log", "screenshots", "base"]) {
    const from = path.join(dir, name);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dest, name), { recursive: true });
  }
  line("artifact-dir", dest);
' "$work/result.json" "$out" "$work/artifacts"
exit 0
