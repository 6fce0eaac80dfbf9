#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with starting inputs: the demo call folders in fixtures/, the
# real-world documents in ../shared/wild/ when they are there, a few hand-written RTF files and
# queries, and ODT/RTF conversions of the DOCX seeds when pandoc is installed. Anything missing
# is skipped. Safe to run again: files are only added (named by content).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="$here/corpus"
wild="$root/../shared/wild"

targets=(pdf docx odt rtf spreadsheet manifest call query call_page)
for t in "${targets[@]}"; do mkdir -p "$corpus/$t"; done

# add TARGET FILE...: copies each file in under its content hash (libFuzzer's own naming).
add() {
  local target="$1"; shift
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$corpus/$target/$(sha1sum "$f" | cut -c1-40)"
  done
}
# text TARGET TEXT: one seed from a string.
text() {
  local tmp
  tmp="$(mktemp)"
  printf '%s' "$2" >"$tmp"
  add "$1" "$tmp"
  rm -f "$tmp"
}

shopt -s nullglob
for call in "$root"/fixtures/calls/*/; do
  add pdf "$call"files/*.pdf
  add docx "$call"files/*.docx
  add spreadsheet "$call"files/*.xlsx "$call"files/*.ods "$call"files/*.csv "$call"src/manifest.csv
  add manifest "$call"manifest.* "$call"src/manifest.csv
  add call "$call"call.toml
  add call_page "$call"page/*.html "$call"page/*.txt
done
add call_page "$root"/../shared/call/*.txt
if [ -d "$wild" ]; then
  add pdf "$wild"/pdf/*.pdf
  add docx "$wild"/docx/*.docx
  add spreadsheet "$wild"/xlsx/*
  add manifest "$wild"/xlsx/*
else
  echo "seed.sh: $wild not found, real-world seeds skipped" >&2
fi

# Containers as parts (the form fuzz/src/lib.rs `zip_parts` reads): the XML inside, separated
# by 0xFF 0xFF, so that mutations reach the XML readers instead of breaking zip checksums.
# parts PREFIX TARGET FILE PART...: PREFIX is written first (a format byte, or nothing).
parts() {
  local prefix="$1" target="$2" file="$3"; shift 3
  local tmp part first=1
  tmp="$(mktemp)"
  printf '%b' "$prefix" >"$tmp"
  for part in "$@"; do
    [ "$first" -eq 1 ] || printf '\xff\xff' >>"$tmp"
    first=0
    unzip -p "$file" "$part" >>"$tmp" 2>/dev/null || true
  done
  add "$target" "$tmp"
  rm -f "$tmp"
}
if command -v unzip >/dev/null; then
  for f in "$root"/fixtures/calls/*/files/*.docx "$wild"/docx/*.docx; do
    parts '' docx "$f" word/document.xml word/styles.xml word/numbering.xml word/footnotes.xml \
      word/endnotes.xml word/header1.xml _rels/.rels '[Content_Types].xml'
  done
  for f in "$root"/fixtures/calls/*/files/*.xlsx "$wild"/xlsx/*.xlsx; do
    parts '\xff' spreadsheet "$f" xl/workbook.xml xl/_rels/workbook.xml.rels \
      xl/worksheets/sheet1.xml xl/sharedStrings.xml xl/styles.xml '[Content_Types].xml' _rels/.rels
  done
  for f in "$wild"/xlsx/*.ods; do
    parts '\xfe' spreadsheet "$f" content.xml META-INF/manifest.xml
  done
else
  echo "seed.sh: unzip not found, container-part seeds skipped" >&2
fi

# ODT and RTF: no fixture has them; convert a few DOCX files when pandoc is there.
if command -v pandoc >/dev/null; then
  n=0
  for f in "$root"/fixtures/calls/*/files/*.docx "$wild"/docx/*.docx; do
    [ "$n" -lt 12 ] || break
    tmp="$(mktemp -d)"
    if pandoc "$f" -o "$tmp/out.odt" 2>/dev/null; then
      add odt "$tmp/out.odt"
      command -v unzip >/dev/null && parts '' odt "$tmp/out.odt" content.xml styles.xml meta.xml
    fi
    if pandoc -s "$f" -o "$tmp/out.rtf" 2>/dev/null; then add rtf "$tmp/out.rtf"; fi
    rm -rf "$tmp"
    n=$((n + 1))
  done
else
  echo "seed.sh: pandoc not found, ODT seeds skipped (the odt target starts from nothing)" >&2
fi
text rtf '{\rtf1\ansi {\b bold} and {\i italic\i0} words\line next\par}'
text rtf '{\rtf1\ansi\uc1 Ni\u241?o \u-10179?\u-8704? \uc2 x\u8364\'"'"'80\'"'"'80 y\par}'
text rtf '{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}{\f1\fcharset204 Arial Cyr;}}\f0 caf\'"'"'e9\par\f1 \'"'"'cf\'"'"'f0\'"'"'e8\par}'
text rtf '{\rtf1{\info{\title Secret}}{\colortbl;\red0;}{\*\generator Writer;}{\pict\pngblip 89504e47}Body{\field{\*\fldinst HYPERLINK x}{\fldrslt link}}\par}'
text rtf '{\rtf1\ansi{\pntext 1.\tab}{\*\pn\pnlvlbody\pndec}Item\par\trowd\cellx1000\cellx2000 a\cell b\cell\row{\footnote note}\par}'

# Queries: the relevance judgements' queries and one of each operator.
if [ -f "$root/fixtures/relevance.jsonl" ]; then
  while IFS= read -r q; do
    text query "$q"
  done < <(sed -n 's/.*"q": *"\([^"]*\)".*/\1/p' "$root/fixtures/relevance.jsonl")
fi
for q in 'grooming livestream' 'grooming OR sextortion' '"safety by design"' \
  'encryption -scanning' 'encrypt*' 'question:7 category:CSOs country:Chile mentioned:Brazil lang:es kind:annex' \
  'submitter:"Child Safety Alliance" E2EE' 'ninos cifrado' 'шифрование' 'التشفير' '-"client side" OR' \
  'language:fr chiffrement de bout en bout' 'call:demo question:x'; do
  text query "$q"
done

for t in "${targets[@]}"; do
  printf '%-12s %4d seeds\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"
done
