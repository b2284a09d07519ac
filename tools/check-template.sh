#!/usr/bin/env bash
# Template checks: cfn-lint, sam validate --lint, checkov, then sam build with each
# function's bundle size. `--build-only` (npm run build) skips the linters.
#
# The build is a plain `sam build` from the repository root (samconfig.toml's defaults):
# each function's folder is bundled in place by the project's esbuild, nothing is copied
# or installed, and .aws-sam/ keeps SAM's build state between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=${LEDGERFLOW_VENV:-$root/.stack/venv}
# checkov pins its own boto3, which aws-sam-cli's cannot share: it has a venv of its own.
checkov_venv=$root/.stack/checkov-venv
export SAM_CLI_TELEMETRY=0
export PATH="$venv/bin:$PATH"

for tool in sam cfn-lint; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found in $venv/bin; run: npm run stack:install" >&2; exit 1; }
done

# Installs checkov when missing or when tools/checkov-requirements.txt changed; the copy of
# the requirements is written last, so an interrupted install is redone.
ensure_checkov() {
  local installed=$checkov_venv/requirements.txt
  cmp -s tools/checkov-requirements.txt "$installed" && return
  echo "installing checkov into $checkov_venv"
  rm -rf "$checkov_venv"
  "$venv/bin/python" -m venv "$checkov_venv"
  "$checkov_venv/bin/pip" install --quiet --disable-pip-version-check -r tools/checkov-requirements.txt
  cp tools/checkov-requirements.txt "$installed"
}

# Both values of StreamEngine are linted: cfn-lint checks each resource under either value
# of its condition already (its --parameters does not change that), and `sam validate`
# takes no parameter overrides, so the template is linted again as a copy defaulting to kinesis.
kinesis_template=.aws-sam/template-kinesis.yaml

if [ "${1:-}" != "--build-only" ]; then
  mkdir -p .aws-sam
  sed '/^  StreamEngine:$/,/^    Default:/s/^    Default: kafka$/    Default: kinesis/' template.yaml >"$kinesis_template"
  grep -q '^    Default: kinesis$' "$kinesis_template" || { echo "error: StreamEngine's default not found in template.yaml" >&2; exit 1; }
  for engine in kafka kinesis; do
    template=template.yaml
    [ "$engine" = kinesis ] && template=$kinesis_template
    echo "cfn-lint (StreamEngine=$engine)"
    cfn-lint "$template"
    echo "sam validate --lint (StreamEngine=$engine)"
    sam validate --lint --template-file "$template" 2>&1 | grep -v -i telemetry
  done
  ensure_checkov
  echo "checkov (each skip is in template.yaml with its reason)"
  "$checkov_venv/bin/checkov" --file template.yaml --framework cloudformation --compact --quiet --skip-download
fi

echo "sam build"
mkdir -p .aws-sam
log=.aws-sam/build.log
started=$SECONDS
sam build >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
echo "built in $((SECONDS - started)) s"

# A bundle's size is what its cold start may load: the entry module, the chunks it imports
# statically and its largest chunk loaded by import() (tools/bundle-size.ts); the folder's
# every module is shown apart.
echo
printf '%-24s %12s %16s %12s\n' function 'bundle (KB)' 'all chunks (KB)' 'limit (KB)'
status=0
bundles=()
for dir in .aws-sam/build/*Function; do
  bundles+=("$(find "$dir" -maxdepth 1 -name '*.mjs' -o -maxdepth 1 -name '*.js' | head -n 1)")
done
sizes=$(node --import tsx tools/bundle-size.ts "${bundles[@]}")
while read -r loaded all bundle; do
  size=$((loaded / 1024))
  printf '%-24s %12s %16s %12s\n' "$(basename "$(dirname "$bundle")")" "$size" $((all / 1024)) 1024
  if [ "$size" -ge 1024 ]; then status=1; fi
done <<<"$sizes"
[ "$status" = 0 ] || { echo "error: a bundle is over 1 MB" >&2; exit 1; }
