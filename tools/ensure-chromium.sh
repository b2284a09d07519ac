#!/usr/bin/env bash
# Headless Chromium for the browser test of /docs (tests/integration/docs-page.test.ts),
# from Debian's packages: nothing is downloaded beside the package manager's own.
set -euo pipefail
command -v chromium >/dev/null && exit 0
sudo=
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
echo "installing chromium from Debian's packages"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
