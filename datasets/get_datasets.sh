#!/usr/bin/env bash
# Download the real COCO captioning data of the course (coco_captioning.zip, about 1 GB) and
# unpack it into datasets/coco_captioning/. Needs internet; the kit itself works offline with
# the embedded synthetic dataset (`coursekit data`).
#
# Idempotent: does nothing when the dataset is already unpacked; an interrupted download is
# resumed (the partial file is kept as coco_captioning.zip.part); the archive is tested
# (CRC of every member) before it is unpacked, and unpacked into a temporary folder that is
# renamed into place only when complete.
#
# Environment overrides:
#   COCO_CAPTIONING_URL     where to get the zip (default: the course site; file:// works)
#   COCO_CAPTIONING_SHA256  if set, the zip must have this SHA-256
#   COCO_DATASETS_DIR       the folder that receives coco_captioning/ (default: this folder)
#   COCO_KEEP_ZIP=1         keep the zip after unpacking (default: delete it)
set -euo pipefail

URL="${COCO_CAPTIONING_URL:-http://cs231n.stanford.edu/coco_captioning.zip}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="${COCO_DATASETS_DIR:-$HERE}"
NAME="coco_captioning"
TARGET="$DEST/$NAME"
ZIP="$DEST/$NAME.zip"
UNPACK_TMP=""
REQUIRED=(
  coco2014_captions.h5 coco2014_vocab.json
  train2014_vgg16_fc7.h5 val2014_vgg16_fc7.h5
  train2014_vgg16_fc7_pca.h5 val2014_vgg16_fc7_pca.h5
  train2014_urls.txt val2014_urls.txt
)

say() { echo "get_datasets: $*"; }
die() { echo "get_datasets: error: $*" >&2; exit 1; }

complete_in() {  # complete_in DIR: every required file is there
  local f
  for f in "${REQUIRED[@]}"; do [ -s "$1/$f" ] || return 1; done
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

test_zip() {
  if command -v unzip >/dev/null 2>&1; then unzip -tqq "$1" >/dev/null
  else python3 -c 'import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)' "$1"
  fi
}

unpack_zip() {  # unpack_zip ZIP DIR
  if command -v unzip >/dev/null 2>&1; then unzip -qq -o "$1" -d "$2"
  else python3 -m zipfile -e "$1" "$2"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

main() {
  mkdir -p "$DEST"
  if complete_in "$TARGET"; then
    say "$TARGET is already there; nothing to do"
    return 0
  fi

  if [ ! -s "$ZIP" ]; then
    say "downloading $URL (about 1 GB) ..."
    if ! download "$URL" "$ZIP.part" && ! { [ -s "$ZIP.part" ] && test_zip "$ZIP.part"; }; then
      die "could not download $URL (offline?). The partial file $ZIP.part is kept and the
next run resumes it. Without internet, use the embedded dataset: run \`coursekit data\`."
    fi
    mv -f "$ZIP.part" "$ZIP"
  fi

  if [ -n "${COCO_CAPTIONING_SHA256:-}" ] && [ "$(sha256_of "$ZIP")" != "$COCO_CAPTIONING_SHA256" ]; then
    rm -f "$ZIP"
    die "$ZIP does not have the expected SHA-256; deleted it, run again to download it anew"
  fi
  if ! test_zip "$ZIP"; then
    rm -f "$ZIP"
    die "$ZIP is damaged (zip test failed); deleted it, run again to download it anew"
  fi

  UNPACK_TMP="$(mktemp -d "$DEST/.$NAME.unpack.XXXXXX")"
  trap 'rm -rf "$UNPACK_TMP"' EXIT
  say "unpacking $ZIP ..."
  unpack_zip "$ZIP" "$UNPACK_TMP"
  complete_in "$UNPACK_TMP/$NAME" || die "$ZIP does not hold $NAME/ with ${REQUIRED[*]}"
  rm -rf "$TARGET"
  mv "$UNPACK_TMP/$NAME" "$TARGET"
  [ "${COCO_KEEP_ZIP:-0}" = 1 ] || rm -f "$ZIP"
  say "the COCO captioning data is in $TARGET"
}

main "$@"
