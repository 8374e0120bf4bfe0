#!/usr/bin/env bash
# System packages the tests and tools need (Debian): espeak-ng + sox for synthetic speech,
# libsox-fmt-mp3 so sox writes the MP3 test fixtures, flite + festival (with two extra voices)
# for more synthetic voices, chromium for the UI tests. Used by .ci/run and by README's set-up commands. Idempotent.
set -euo pipefail
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
sox -h 2>/dev/null | grep -q 'FORMATS:.* mp3' || need+=(libsox-fmt-mp3)
command -v flite >/dev/null 2>&1 || need+=(flite)
command -v text2wave >/dev/null 2>&1 || need+=(festival festvox-kallpc16k)
[ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ] || need+=(festvox-us-slt-hts)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-system: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "setup-system: espeak-ng $(espeak-ng --version | head -c 40 | tr -d '\n'), sox $(sox --version | awk '{print $NF}')"
