#!/usr/bin/env bash
# Install what Påminn needs to build, run and test, from Debian's packages.
# Safe to repeat: only missing packages are installed.
set -euo pipefail

packages=(
  # build
  gcc clang cmake ninja-build pkg-config libclang-rt-14-dev clang-format
  # libraries
  libsqlite3-dev libsodium-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
  libjwt-dev libhpdf-dev libssl-dev tzdata fonts-dejavu-core
  # Swish payment QR codes on letters and e-mails
  libqrencode-dev
  # camt.054 bank files (XML, validated against data/camt054.xsd)
  libxml2-dev
  # the PostgreSQL driver
  libpq-dev
  # tests
  libcmocka-dev sqlite3 valgrind
  # the PostgreSQL tests: a private server, scripts/pg-server.sh
  postgresql postgresql-client
  # tests of the reminder letters (pdftotext, pdftoppm, pdfinfo) and their QR codes (zbarimg)
  poppler-utils zbar-tools
  # the statement test reads the rendered page back (OCR: tests/api/statements.test.mjs)
  tesseract-ocr
  # the e-mail tests: a real SMTP server on 127.0.0.1 (Debian's aiosmtpd, run by /usr/bin/python3)
  python3-aiosmtpd
  # browser tests of the web UI (tests/e2e): the distribution's Chromium, driven headless
  chromium
)
# Node.js (>= 18, for the built-in test runner) runs the HTTP and browser
# tests; the machine image brings Node 20, else Debian's nodejs is installed.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs)
fi
# npm installs the browser tests' dependencies (playwright-core, axe-core; `npm ci`).
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages are present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
# PostgreSQL: the tests start private clusters (scripts/pg-server.sh); the
# package's default cluster on port 5432 is not wanted.
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" |
    $sudo tee /etc/postgresql-common/createcluster.d/paminn-no-main.conf >/dev/null
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
