#!/usr/bin/env bash
# Template checks: cfn-lint, sam validate --lint, then sam build with each function's
# bundle size. `--build-only` skips the linters.
#
# sam build copies CodeUri (the repository root) before bundling; building from a
# staging copy of the tracked sources keeps it from copying node_modules and .stack/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=${LEDGERFLOW_VENV:-$root/.stack/venv}
export SAM_CLI_TELEMETRY=0
export PATH="$root/node_modules/.bin:$venv/bin:$PATH"

for tool in sam cfn-lint; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found in $venv/bin; run: npm run stack:install" >&2; exit 1; }
done

if [ "${1:-}" != "--build-only" ]; then
  echo "cfn-lint template.yaml"
  cfn-lint template.yaml
  echo "sam validate --lint"
  sam validate --lint --template-file template.yaml 2>&1 | grep -v -i telemetry
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
git ls-files -z --cached --others --exclude-standard -- template.yaml package.json package-lock.json tsconfig.json functions layers |
  xargs -0 -I{} cp --parents {} "$staging"

echo "sam build"
(cd "$staging" && sam build --template-file template.yaml --build-dir "$root/.aws-sam/build" --cache-dir "$root/.aws-sam/cache" --cached >"$root/.aws-sam-build.log" 2>&1) || {
  cat "$root/.aws-sam-build.log" >&2
  exit 1
}
rm -f "$root/.aws-sam-build.log"

echo
printf '%-24s %12s %12s\n' function 'bundle (KB)' 'limit (KB)'
status=0
for dir in "$root"/.aws-sam/build/*Function; do
  bundle=$(find "$dir" -maxdepth 1 -name '*.mjs' -o -maxdepth 1 -name '*.js' | head -n 1)
  size=$(( $(stat -c %s "$bundle") / 1024 ))
  printf '%-24s %12s %12s\n' "$(basename "$dir")" "$size" 1024
  if [ "$size" -ge 1024 ]; then status=1; fi
done
[ "$status" = 0 ] || { echo "error: a bundle is over 1 MB" >&2; exit 1; }
