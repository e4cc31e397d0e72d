#!/usr/bin/env bash
# test.sh is THE test command of Synchronizer: it installs what the checks
# need (idempotently: Debian packages, npm packages, golangci-lint), then runs
# every check and ends with a summary line "N passed, N failed".
#
#   ./scripts/test.sh            run everything
#   SKIP_INSTALL=1 ./scripts/test.sh   assume the tools are there
#   NORACE=1 ./scripts/test.sh   run go test without the race detector (faster)
#   ONLY=go-test ./scripts/test.sh     run one step (name as printed)
#
# Works as root on a fresh Debian 12 machine, and with CI=true without stdin.
# Extra steps live in scripts/ci.d/*.sh (executable, run in name order); a
# step file may call ensure_debs PKG... to install the Debian packages it
# needs.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

GOLANGCI_LINT_VERSION="v2.15.0"
export DEBIAN_FRONTEND=noninteractive
export CI="${CI:-}"
export GOFLAGS="${GOFLAGS:-}"
gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"

# ---------------------------------------------------------------- installs

apt_updated=""
# ensure_debs installs the Debian packages that are missing; apt-get update
# runs only when something is missing, at most once per run.
ensure_debs() {
	local missing=() p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			missing+=("$p")
		fi
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
			echo "ensure_debs: need root to install ${missing[*]}" >&2
			return 1
		fi
	fi
	if [ -z "$apt_updated" ]; then
		$sudo apt-get update -qq </dev/null || return 1
		apt_updated=1
	fi
	echo "installing Debian packages: ${missing[*]}"
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null || return 1
}
export -f ensure_debs
export apt_updated

# ensure_golangci_lint installs the pinned golangci-lint into GOPATH/bin
# unless that exact version is there.
ensure_golangci_lint() {
	if command -v golangci-lint >/dev/null 2>&1 &&
		golangci-lint version 2>/dev/null | grep -q "version ${GOLANGCI_LINT_VERSION#v} "; then
		return 0
	fi
	echo "installing golangci-lint $GOLANGCI_LINT_VERSION"
	go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
}

# ensure_npm_ci runs npm ci in a directory when its node_modules is missing
# or older than its package-lock.json.
ensure_npm_ci() {
	local dir="$1"
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		echo "npm ci in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
	fi
}
export -f ensure_npm_ci

install_all() {
	ensure_debs git ca-certificates curl chromium fonts-liberation &&
		ensure_golangci_lint &&
		ensure_npm_ci ui
}

# ------------------------------------------------------------------- steps

passed=0
failed=0
failed_names=()

# step NAME CMD... runs one check with a header and its duration.
step() {
	local name="$1"
	shift
	if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then
		return 0
	fi
	echo
	echo "=== step: $name"
	local start end rc
	start=$(date +%s)
	"$@"
	rc=$?
	end=$(date +%s)
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "=== ok: $name ($((end - start))s)"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "=== FAIL: $name (exit $rc, $((end - start))s)"
	fi
}

go_files() {
	git ls-files --cached --others --exclude-standard -- '*.go' | grep -v '^ui/node_modules/' || true
}

check_gofmt() {
	local bad
	bad="$(go_files | xargs -r gofmt -l)"
	if [ -n "$bad" ]; then
		echo "gofmt: these files need 'gofmt -w':"
		echo "$bad"
		return 1
	fi
}

# tree_state hashes the working tree's changes and untracked files, so that
# a step can prove it changed nothing (works on a dirty tree too).
tree_state() {
	{
		git diff --binary
		git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum
	} | sha256sum
}

check_generate() {
	local before after
	before="$(tree_state)"
	go generate ./... || return 1
	after="$(tree_state)"
	if [ "$before" != "$after" ]; then
		echo "go generate changed files; commit the regenerated code:"
		git status --short
		return 1
	fi
}

check_ui() {
	bash ui/check-dist.sh && (cd ui && npm test --silent </dev/null)
}

check_ui_e2e() {
	(cd ui && npm run --silent e2e </dev/null)
}

run_go_test() {
	# -race fits the budget: about 3.5 min for the whole module on 2 cores.
	local flags=(-count=1 -timeout 20m)
	if [ -z "${NORACE:-}" ]; then flags+=(-race); fi
	go test "${flags[@]}" ./...
}

run_ci_d() {
	local f="$1"
	bash "$f"
}

if [ -z "${SKIP_INSTALL:-}" ]; then
	step install install_all
fi
step gofmt check_gofmt
step go-vet go vet ./...
step golangci-lint golangci-lint run ./...
step go-generate check_generate
step ui check_ui
step go-test run_go_test
step ui-e2e check_ui_e2e
for f in scripts/ci.d/*.sh; do
	[ -e "$f" ] || continue
	if [ -x "$f" ]; then
		step "ci.d/$(basename "$f")" run_ci_d "$f"
	else
		echo "(skipping $f: not executable)"
	fi
done

echo
if [ "$failed" -gt 0 ]; then
	echo "failed steps: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
