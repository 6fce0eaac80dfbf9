#!/usr/bin/env bash
# Extraction speed side by side in one run: `cfi extract` against poppler's `pdftotext` and
# PyMuPDF (`page.get_text()`) on the same long PDF, and against `pandoc -t plain` on the same
# DOCX files. Process start is included for every tool (that is what a batch pays per file).
#
#   benches/extract-speed.sh            # needs poppler-utils, pandoc, python3 with pymupdf
#   RUNS=9 benches/extract-speed.sh     # more runs per measurement (median reported)
#
# The long PDF is every fixture PDF (LibreOffice-made, embedded subset fonts with ToUnicode
# maps) joined with pdfunite and repeated to at least 300 pages.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in pdftotext pdfunite pandoc python3; do
  command -v "$tool" >/dev/null || { echo "extract-speed: $tool is not installed" >&2; exit 1; }
done
python3 -c 'import pymupdf' 2>/dev/null || pip install --quiet pymupdf >&2 || true
if [ -z "${CFI_BIN:-}" ]; then
  cargo build --release --quiet -p cfi
  CFI_BIN=target/release/cfi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t pdfs < <(ls fixtures/calls/sr-children-digital-2024/files/*.pdf)
pdfunite "${pdfs[@]}" "$work/once.pdf"
pages_once=$(pdfinfo "$work/once.pdf" | awk '/^Pages:/ {print $2}')
copies=$(( (300 + pages_once - 1) / pages_once ))
list=()
for _ in $(seq "$copies"); do list+=("$work/once.pdf"); done
pdfunite "${list[@]}" "$work/long.pdf"
mapfile -t docx < <(ls fixtures/calls/*/files/*.docx)

exec python3 - "$CFI_BIN" "$work/long.pdf" "${RUNS:-5}" "${docx[@]}" <<'PY'
import statistics, subprocess, sys, time
cfi, pdf, runs, docx = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
pages = int(next(l.split()[1] for l in subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout.splitlines() if l.startswith("Pages:")))

def median_time(command):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

PYMUPDF_SCRIPT = "import pymupdf,sys\nd=pymupdf.open(sys.argv[1])\nfor p in d: sys.stdout.write(p.get_text())"
try:
    import pymupdf  # noqa: F401
    have_pymupdf = True
except ImportError:
    have_pymupdf = False

rows = [("cfi extract", median_time([cfi, "extract", pdf])),
        ("pdftotext", median_time(["pdftotext", "-enc", "UTF-8", pdf, "-"]))]
if have_pymupdf:
    rows.append(("PyMuPDF get_text", median_time([sys.executable, "-c", PYMUPDF_SCRIPT, pdf])))
print(f"PDF: {pdf.rsplit('/', 1)[-1]}, {pages} pages, median of {runs} runs (process start included)")
print(f"{'tool':<18} {'seconds':>8} {'ms/page':>8} {'pages/s':>8}")
for name, t in rows:
    print(f"{name:<18} {t:>8.3f} {t * 1000 / pages:>8.2f} {pages / t:>8.0f}")
base = rows[0][1]
print("ratio cfi/pdftotext {:.2f}".format(base / rows[1][1]) + ("" if not have_pymupdf else ", cfi/PyMuPDF {:.2f}".format(base / rows[2][1])))

cfi_times, pandoc_times = [], []
for f in docx:
    cfi_times.append(median_time([cfi, "extract", f]))
    pandoc_times.append(median_time(["pandoc", "-t", "plain", f]))
c, p = statistics.median(cfi_times), statistics.median(pandoc_times)
print(f"DOCX: {len(docx)} files, median per file, one process each: cfi extract {c * 1000:.1f} ms, pandoc -t plain {p * 1000:.1f} ms, pandoc/cfi {p / c:.1f}x")
# What an ingest pays: many files in one process (pandoc has no such mode).
batch = median_time([cfi, "extract", *docx]) / len(docx)
print(f"DOCX in one cfi process: {batch * 1000:.2f} ms per file, pandoc/cfi {p / batch:.1f}x")
PY
