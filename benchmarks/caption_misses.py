"""The working part's label_short misses of a `caption_quality.py --json` record, grouped by a
likely cause, so that a change is chosen by how many products it can fix, not by one site.

    .venv/bin/python benchmarks/caption_misses.py RECORD.json [-v]

The causes are read from strings only (the answer, the acceptable forms, the product's name as
its truth.yaml gives it, and the site's names): a heuristic, good for counting, not a verdict.

* crawl miss: the crawl found no record for the page, so there is no caption;
* name is a code: nothing is left of the name once codes and numbers go, and nothing gave a
  type (no type found: the name has words, yet no type came);
* brand, model or line name taken as type: the answer opens with a word the name writes in
  capitals (or, in English, a word the dictionary does not know) that no acceptable form holds,
  or with a word most of the site's names share;
* head right, too short: the answer is the end or start of an acceptable form (a qualifier
  lost: "bed dryer" for "fluid bed dryer");
* head right, extra words: an acceptable form is inside the answer;
* head near: the answer shares a word or a stem with an acceptable form (inflection, word order,
  another qualifier);
* other: nothing in common.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from ilid_platform.captions.morphology import is_english
from ilid_platform.captions.part_type import clean_name
from ilid_platform_tests.corpus_captions import load_truth, normalise
from ilid_platform_tests.corpus_sites import load_site

_WORD = re.compile(r"[^\W\d_][\w-]*")


def _first_written(word: str, name: str) -> str:
    return next((w for w in _WORD.findall(name) if normalise(w) == word), "")


def _brandish(got: list[str], accepted: list[str], name: str, language: str, common: bool) -> bool:
    if common or any(got[0] in a.split() for a in accepted):
        return common
    written = _first_written(got[0], name)
    shouted = len(written) > 1 and written.isupper()
    return bool(written) and (shouted or (language == "en" and not is_english(written)))


def cause(row: dict, accepted: list[str], name: str, language: str, common: set[str]) -> str:
    if not row.get("found", True):
        return "crawl miss (no record)"
    got_text = normalise(row["label_short"]["got"])
    if not got_text:
        coded = not clean_name(name)  # nothing left once codes and numbers go
        return "name is a code, no type found" if coded else "no type found"
    got = got_text.split()
    if _brandish(got, accepted, name, language, got[0] in common):
        return "brand, model or line name taken as type"
    if any(a != got_text and (a.startswith(got_text) or a.endswith(got_text)) for a in accepted):
        return "head right, too short (qualifier lost)"
    if any(a in got_text for a in accepted):
        return "head right, extra words"
    if any(set(a.split()) & set(got) or a[:4] == got_text[:4] for a in accepted):
        return "head near (inflection, word order, other qualifier)"
    return "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path, help="a caption_quality.py --json record")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    figures = json.loads(args.record.read_text(encoding="utf-8"))["figures"]
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for slug, rows in figures["working_products"].items():
        truth = {p.path: p for p in load_truth(slug).products}
        names = {page.path: (page.names or ("",))[0] for page in load_site(slug).products}
        words = Counter(w for n in names.values() for w in set(normalise(n).split()))
        common = {w for w, k in words.items() if k >= max(3, len(names) // 2)}
        for row in rows:
            if row["label_short"]["ok"]:
                continue
            labelled = truth[row["path"]]
            accepted = [normalise(a) for a in labelled.label_short]
            # words most of the site's names share that no acceptable form holds: a brand
            shared = {w for w in common if not any(w in a for a in accepted)}
            found = cause(row, accepted, names.get(row["path"], ""), labelled.language, shared)
            counts[found] += 1
            examples.setdefault(found, []).append(
                f"{slug}{row['path']}: {row['label_short']['got']!r} (want {accepted[:2]})"
            )
    for found, count in counts.most_common():
        print(f"{count:4d}  {found}")
        for line in examples[found] if args.verbose else examples[found][:3]:
            print(f"        {line}")
    print(f"{sum(counts.values()):4d}  label_short misses in the working part")
    return 0


if __name__ == "__main__":
    sys.exit(main())
