#!/usr/bin/env python3
"""Verify the tracker's publication hash chain: nothing published was changed in place.

Usage (Python 3.9+, standard library only):

    python verify_chain.py https://tracker.example.kr prog-slug [--saved digests.json]

1. Downloads /api/v1/programs/<slug>/chain/: every publication of the program, oldest first,
   each with the `record` that was hashed and its `digest`.
2. Recomputes each digest: SHA-256 of the record's canonical JSON (keys sorted, separators
   "," and ":", UTF-8, non-ASCII kept as is).
3. Checks each record's `previous_digest` is the digest of the publication before it.
4. With --saved, also checks the digests you saved on an earlier run are unchanged (a chain
   rewritten wholesale with fresh digests is caught this way), then saves the current ones.

Exit status 0 when the chain holds, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def verify_links(links: list[dict[str, Any]], saved: dict[str, str] | None = None) -> list[str]:
    """Problems found in a chain (empty when it holds). `saved`: publication id → digest."""
    problems = []
    previous = ""
    for link in links:
        record, digest = link["record"], link["digest"]
        name = f"publication {link['publication']} ({record['stage']} #{record['sequence']})"
        if record["previous_digest"] != previous:
            problems.append(f"{name}: does not follow the publication before it")
        if hashlib.sha256(canonical_json(record)).hexdigest() != digest:
            problems.append(f"{name}: its content does not match its digest (changed in place)")
        if (
            saved
            and str(link["publication"]) in saved
            and saved[str(link["publication"])] != digest
        ):
            problems.append(f"{name}: digest differs from the one saved earlier")
        previous = digest
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("program")
    parser.add_argument("--saved", type=Path, help="JSON file of digests from an earlier run")
    args = parser.parse_args(argv)
    url = f"{args.base_url.rstrip('/')}/api/v1/programs/{args.program}/chain/"
    with urllib.request.urlopen(url, timeout=30) as response:
        links = json.load(response)
    saved = json.loads(args.saved.read_text()) if args.saved and args.saved.exists() else None
    problems = verify_links(links, saved)
    for problem in problems:
        print(problem)
    if not problems:
        head = links[-1]["digest"] if links else "-"
        print(f"OK: {len(links)} publications, chain head {head}")
        if args.saved:
            digests = {str(link["publication"]): link["digest"] for link in links}
            args.saved.write_text(json.dumps(digests))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
