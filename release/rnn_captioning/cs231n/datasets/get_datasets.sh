#!/usr/bin/env bash
# Get the data of the assignment. Run it in this folder:
#
#     cd cs231n/datasets && bash get_datasets.sh
#
# By default it unpacks the small synthetic dataset that comes with the assignment
# (embedded_dataset.zip) into embedded/ and checks every file against embedded.sha256:
# offline, in seconds. If your course uses the real COCO captioning data, COCO_URL below is
# set: the script then downloads it (about 1 GB; an interrupted download resumes where it
# stopped), checks it and unpacks it into coco_captioning/.
# Running it again does nothing when the data is already there.
set -euo pipefail

COCO_URL="${COCO_CAPTIONING_URL:-}"          # set by your course when it uses the real COCO data
COCO_SHA256="${COCO_CAPTIONING_SHA256:-}"    # optional: the expected SHA-256 of the COCO zip

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EMBEDDED_ZIP="$HERE/embedded_dataset.zip"
EMBEDDED_SUMS="$HERE/embedded.sha256"
UNPACK_TMP=""
REQUIRED=(
  coco2014_captions.h5 coco2014_vocab.json
  train2014_vgg16_fc7.h5 val2014_vgg16_fc7.h5
  train2014_vgg16_fc7_pca.h5 val2014_vgg16_fc7_pca.h5
  train2014_urls.txt val2014_urls.txt
)

say() { echo "get_datasets: $*"; }
die() { echo "get_datasets: error: $*" >&2; exit 1; }
cleanup() { if [ -n "$UNPACK_TMP" ]; then rm -rf "$UNPACK_TMP"; fi; }
trap cleanup EXIT

python_cmd() {
  if command -v python3 >/dev/null 2>&1; then echo python3
  elif command -v python >/dev/null 2>&1; then echo python
  else die "Python is not installed (it is needed to unpack the data)"
  fi
}

complete_in() {  # complete_in DIR: every required file is there
  local f
  for f in "${REQUIRED[@]}"; do [ -s "$1/$f" ] || return 1; done
}

test_zip() {
  if command -v unzip >/dev/null 2>&1; then unzip -tqq "$1" >/dev/null
  else "$(python_cmd)" -c 'import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)' "$1"
  fi
}

unpack_zip() {  # unpack_zip ZIP DIR
  if command -v unzip >/dev/null 2>&1; then unzip -qq -o "$1" -d "$2"
  else "$(python_cmd)" -m zipfile -e "$1" "$2"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

check_sums() {  # check_sums DIR: every file listed in embedded.sha256 has its SHA-256
  ( cd "$1" && if command -v sha256sum >/dev/null 2>&1; then sha256sum --quiet -c "$EMBEDDED_SUMS"
                else shasum -a 256 -q -c "$EMBEDDED_SUMS"; fi ) >/dev/null 2>&1
}

get_embedded() {
  local target="$HERE/embedded"
  [ -s "$EMBEDDED_SUMS" ] || die "embedded.sha256 is missing from cs231n/datasets/: get the assignment folder again"
  if complete_in "$target" && check_sums "$target"; then
    say "the dataset is already in cs231n/datasets/embedded; nothing to do"
    return 0
  fi
  [ -s "$EMBEDDED_ZIP" ] || die "embedded_dataset.zip is missing from cs231n/datasets/: get the assignment folder again"
  test_zip "$EMBEDDED_ZIP" || die "embedded_dataset.zip is damaged: get the assignment folder again"
  UNPACK_TMP="$(mktemp -d "$HERE/.embedded.unpack.XXXXXX")"
  unpack_zip "$EMBEDDED_ZIP" "$UNPACK_TMP"
  complete_in "$UNPACK_TMP/embedded" || die "embedded_dataset.zip does not hold embedded/ with ${REQUIRED[*]}"
  check_sums "$UNPACK_TMP/embedded" || die "the unpacked files do not match embedded.sha256: get the assignment folder again"
  rm -rf "$target"
  mv "$UNPACK_TMP/embedded" "$target"
  say "the dataset is ready in cs231n/datasets/embedded"
}

download() {  # download URL FILE (resumes FILE if it exists)
  if command -v curl >/dev/null 2>&1; then
    curl --fail --location --silent --show-error --continue-at - --output "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --continue --output-document="$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

get_coco() {
  local target="$HERE/coco_captioning" zip="$HERE/coco_captioning.zip"
  if complete_in "$target"; then
    say "the COCO data is already in cs231n/datasets/coco_captioning; nothing to do"
    return 0
  fi
  if [ ! -s "$zip" ]; then
    say "downloading $COCO_URL (about 1 GB) ..."
    if ! download "$COCO_URL" "$zip.part" && ! { [ -s "$zip.part" ] && test_zip "$zip.part"; }; then
      die "could not download $COCO_URL (are you online?). The partial file is kept:
run \`bash get_datasets.sh\` again in cs231n/datasets to resume the download."
    fi
    mv -f "$zip.part" "$zip"
  fi
  if [ -n "$COCO_SHA256" ] && [ "$(sha256_of "$zip")" != "$COCO_SHA256" ]; then
    rm -f "$zip"
    die "coco_captioning.zip does not have the expected SHA-256; deleted it: run \`bash get_datasets.sh\` again"
  fi
  if ! test_zip "$zip"; then
    rm -f "$zip"
    die "coco_captioning.zip is damaged; deleted it: run \`bash get_datasets.sh\` again"
  fi
  UNPACK_TMP="$(mktemp -d "$HERE/.coco_captioning.unpack.XXXXXX")"
  say "unpacking coco_captioning.zip ..."
  unpack_zip "$zip" "$UNPACK_TMP"
  complete_in "$UNPACK_TMP/coco_captioning" || die "coco_captioning.zip does not hold coco_captioning/ with ${REQUIRED[*]}"
  rm -rf "$target"
  mv "$UNPACK_TMP/coco_captioning" "$target"
  rm -f "$zip"
  say "the COCO data is ready in cs231n/datasets/coco_captioning"
}

if [ -n "$COCO_URL" ]; then get_coco; else get_embedded; fi
