#!/usr/bin/env bash
# Side-by-side comparison of `cfi extract` with the tools a user would otherwise pick:
# poppler's `pdftotext` for PDF and `pandoc -t plain` for DOCX, on the fixture submissions
# (fixtures/calls/*/files/) and the wild corpus (../shared/wild/).
#
# Per file: word recall and precision of cfi against the reference (multisets of NFKC-folded,
# case-folded words), reading order (longest common subsequence of the two word sequences over
# the reference length, sequences capped at 20k words), and wall time per page (median of 3 runs
# of each program, process start included). The summary gives mean and minimum of each score
# and the ratio of the median times per page, cfi / reference.
#
# Running headers and footers (a line among the top or bottom three of most pages, digits
# ignored) are counted once in pdftotext's text, and lines holding only a page number not at all,
# as cfi keeps each running line once (marked, outside passages) and drops bare page numbers.
#
# For PDF, order is also scored against `pdftotext -layout` (column "layout"), which reads a
# table row by row where pdftotext's reading order gives it column by column; cfi reads table
# rows across, so a file that is mostly table scores low on "order" and high on "layout", and a
# two-column page the other way round. The summary gives both and the closer of the two.
#
# The reference is not the truth: pdftotext reverses Arabic, maps some CID fonts wrongly and has
# no text for scanned pages (cfi reads those by OCR, so they are reported apart). Low scores are
# a place to look, not a verdict.
#
# With CONVERTED=1 (and LibreOffice installed) every DOCX is also converted to ODT, RTF and DOC,
# and cfi's reading of each is compared with pandoc's (of the DOCX, for .doc).
#
# Usage: benches/extract-vs-poppler.sh [FILE...]   (CFI_BIN=path skips the release build)
# Needs: poppler-utils (pdftotext, pdfinfo), pandoc, python3; tesseract-ocr for scanned pages;
# libreoffice-writer for CONVERTED=1.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in pdftotext pdfinfo pandoc python3; do
  command -v "$tool" >/dev/null || { echo "extract-vs-poppler: $tool is not installed" >&2; exit 1; }
done

if [ -z "${CFI_BIN:-}" ]; then
  cargo build --release -p cfi >&2
  CFI_BIN=target/release/cfi
fi

exec python3 - "$CFI_BIN" "$@" <<'PY'
import os, re, statistics, subprocess, sys, time, unicodedata
from collections import Counter
from pathlib import Path

cfi = sys.argv[1]
RUNS = 3
CAP = 20_000
TIMEOUT = 600

root = Path.cwd()
wild = (root / ".." / "shared" / "wild").resolve()

if len(sys.argv) > 2:
    files = [Path(f) for f in sys.argv[2:]]
else:
    files = sorted(root.glob("fixtures/calls/*/files/*.pdf")) + sorted(wild.glob("pdf/*.pdf"))
    files += sorted(root.glob("fixtures/calls/*/files/*.docx")) + sorted(wild.glob("docx/*.docx"))


def passwords():
    """Passwords the wild manifest's `special` column names, by file name."""
    out = {}
    manifest = wild / "MANIFEST.tsv"
    if not manifest.is_file():
        return out
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 7:
            continue
        special = cols[6]
        found = re.findall(r"'([^']*)'", special)
        found += [w.strip("(),;") for p, w in zip(special.split(), special.split()[1:]) if p == "pw"]
        if "four spaces" in special:
            found.append("    ")
        if found:
            out[Path(cols[0]).name] = found
    return out


PASSWORDS = passwords()
CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
TOKEN = re.compile(rf"{CJK}|(?:(?!{CJK})\w)+")


def words(text):
    text = text.replace("\u00ad", "")
    text = unicodedata.normalize("NFKC", text).casefold()
    # A word broken by a hyphen at a line end counts as one word, for both programs alike.
    text = re.sub(r"(\w)-\n\s*(?=[a-zà-ÿ])", r"\1", text)
    return TOKEN.findall(text)


def running_once(text):
    """pdftotext's text with each running header or footer line kept at its first page only
    and bare page numbers left out."""
    pages = [[l.strip() for l in page.splitlines() if l.strip()] for page in text.split("\f")]
    pages = [p for p in pages if p]
    key = lambda line: re.sub(r"\s+", "", re.sub(r"\d", "#", line)).casefold()
    bare_number = re.compile(r"^[\W_]*(\d+|[ivxl]{1,6})[\W_]*$", re.IGNORECASE)
    edges = lambda lines: set(lines[:3] + lines[-3:])
    counts = Counter(k for lines in pages for k in {key(l) for l in edges(lines)})
    running = {k for k, n in counts.items() if len(pages) >= 2 and n >= 2 and 2 * n > len(pages)}
    seen, out = set(), []
    for lines in pages:
        edge = edges(lines)
        for line in lines:
            if len(pages) >= 2 and bare_number.match(line) and line in edge:
                continue
            k = key(line)
            if line in edge and k in running:
                if k in seen:
                    continue
                seen.add(k)
            out.append(line)
    return "\n".join(out)


def lcs(a, b):
    """Length of the longest common subsequence, bit-parallel over b (Hyyrö 2004)."""
    if not a or not b:
        return 0
    positions = {}
    for j, w in enumerate(b):
        positions.setdefault(w, []).append(j)
    masks = {w: sum(1 << j for j in js) for w, js in positions.items()}
    full = (1 << len(b)) - 1
    v = full
    for w in a:
        m = masks.get(w)
        if m is None:
            continue
        u = v & m
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def timed(cmd):
    """(stdout or None, median seconds, error)."""
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, None, f"timed out after {TIMEOUT} s"
        times.append(time.perf_counter() - start)
        if run.returncode != 0:
            err = run.stderr.decode("utf-8", "replace").strip().splitlines()
            return None, None, (err[-1] if err else f"exit {run.returncode}")
        out = run.stdout.decode("utf-8", "replace")
    return out, statistics.median(times), None


def pdf_pages(path, password):
    cmd = ["pdfinfo"] + (["-upw", password] if password else []) + [str(path)]
    run = subprocess.run(cmd, capture_output=True)
    m = re.search(rb"^Pages:\s+(\d+)", run.stdout, re.M)
    return int(m.group(1)) if m else None


def reference_command(path, password, source=None):
    kind = path.suffix.lower().lstrip(".")
    if kind == "pdf":
        return ["pdftotext"] + (["-upw", password] if password else []) + [str(path), "-"]
    # pandoc does not read .doc: a .doc converted here is compared with its reading of the DOCX
    # the .doc came from.
    return ["pandoc", "-t", "plain", "--wrap=none", str(source if kind == "doc" else path)]


def compare(path, source=None):
    kind = path.suffix.lower().lstrip(".")
    tries = [None] + PASSWORDS.get(path.name, [])
    for password in tries:
        pw = ["--password", password] if password else []
        ours, our_time, our_err = timed([cfi, "extract", *pw, str(path)])
        if ours is not None or password == tries[-1]:
            break
    ref, ref_time, ref_err = timed(reference_command(path, password, source))
    row = {"file": path.name, "kind": kind, "error": None}
    if ours is None or ref is None:
        row["error"] = ("cfi: " + our_err) if ours is None else ("reference: " + ref_err)
        return row
    pages = (pdf_pages(path, password) if kind == "pdf" else None) or 1
    if kind == "pdf":
        ref = running_once(ref)
    a, b = words(ours)[:CAP], words(ref)[:CAP]
    common = sum((Counter(a) & Counter(b)).values())
    row.update(
        pages=pages,
        ours=len(a),
        ref=len(b),
        recall=common / len(b) if b else None,
        precision=common / len(a) if a else None,
        order=lcs(a, b) / len(b) if b else None,
        our_ms=our_time * 1000 / pages,
        ref_ms=ref_time * 1000 / pages,
        layout=None,
    )
    if kind == "pdf" and b:
        # pdftotext -layout keeps the page's geometry: a table comes out row by row, where
        # pdftotext's reading order gives it column by column.
        cmd = reference_command(path, password)
        run = subprocess.run(cmd[:1] + ["-layout"] + cmd[1:], capture_output=True, timeout=TIMEOUT)
        c = words(running_once(run.stdout.decode("utf-8", "replace")))[:CAP]
        row["layout"] = lcs(a, c) / len(c) if c else None
    return row


def converted(docx_files):
    """The DOCX files converted by LibreOffice to ODT, RTF and DOC: (file, DOCX it came from)."""
    import shutil, tempfile
    soffice = shutil.which("soffice")
    if not soffice:
        print("CONVERTED=1: soffice is not installed, skipping the converted files", file=sys.stderr)
        return []
    tmp = Path(tempfile.mkdtemp(prefix="cfi-converted-"))
    out = []
    for fmt in ("odt", "rtf", "doc"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", str(tmp / fmt), *map(str, docx_files)],
                       capture_output=True, timeout=TIMEOUT)
        for docx in docx_files:
            target = tmp / fmt / (docx.stem + "." + fmt)
            if target.is_file():
                out.append((target, docx))
    return out


def fmt(x, digits=3):
    return "  n/a" if x is None else f"{x:.{digits}f}"


rows = []
print(f"{'file':44} {'kind':4} {'pages':>5} {'ref w':>7} {'cfi w':>7} {'recall':>6} {'prec':>6} "
      f"{'order':>6} {'layout':>6} {'cfi ms/p':>9} {'ref ms/p':>9} {'ratio':>6}")
jobs = [(path, None) for path in files]
if os.environ.get("CONVERTED"):
    jobs += converted([p for p in files if p.suffix.lower() == ".docx"])
for path, source in jobs:
    row = compare(path, source)
    rows.append(row)
    if row["error"]:
        print(f"{row['file'][:44]:44} {row['kind']:4} {row['error']}")
        continue
    print(f"{row['file'][:44]:44} {row['kind']:4} {row['pages']:5} {row['ref']:7} {row['ours']:7} "
          f"{fmt(row['recall']):>6} {fmt(row['precision']):>6} {fmt(row['order']):>6} "
          f"{fmt(row['layout']):>6} {row['our_ms']:9.1f} {row['ref_ms']:9.1f} {row['our_ms'] / row['ref_ms']:6.2f}")
    sys.stdout.flush()

print()
for kind, reference in (("pdf", "pdftotext"), ("docx", "pandoc"), ("odt", "pandoc"),
                        ("rtf", "pandoc"), ("doc", "pandoc on the source DOCX")):
    done = [r for r in rows if r["kind"] == kind and not r["error"]]
    scored = [r for r in done if r["ref"] > 0]
    failed = [r for r in rows if r["kind"] == kind and r["error"]]
    no_ref = [r["file"] for r in done if r["ref"] == 0]
    if not done:
        continue
    def stat(key):
        values = [r[key] for r in scored if r[key] is not None]
        if not values:
            return "n/a"
        return f"mean {statistics.mean(values):.3f} min {min(values):.3f}"
    ratio = statistics.median(r["our_ms"] for r in done) / statistics.median(r["ref_ms"] for r in done)
    unit = "page" if kind == "pdf" else "file"
    print(f"{kind} vs {reference}: {len(scored)} files scored; recall {stat('recall')}; "
          f"precision {stat('precision')}; order {stat('order')}; "
          f"median time per {unit} cfi/{reference.split()[0]} {ratio:.2f}")
    if kind == "pdf":
        for r in scored:
            r["either"] = max(x for x in (r["order"], r["layout"]) if x is not None)
        print(f"  order against pdftotext -layout {stat('layout')}; "
              f"against the closer of the two orders {stat('either')}")
    if no_ref:
        print(f"  {reference} found no text in: {', '.join(no_ref)} "
              f"(cfi words: {', '.join(str(r['ours']) for r in done if r['ref'] == 0)})")
    for r in failed:
        print(f"  not compared: {r['file']}: {r['error']}")
PY
