"""The publication hash chain: how anyone can check that nothing published changed in place.

Each publication is summed up by a *record*: the public part of its frozen payload plus what
identifies it (program, stage, sequence, time, the publication it corrects, the correction
note) and the digest of the program's publication before it. Its digest is the SHA-256 of the
record's canonical JSON. Publications of a program form one chain in the order they were made,
corrections included, so changing any published number, or removing or re-ordering a
publication, breaks every digest after it.

Canonical JSON: keys sorted, no spaces (`","` and `":"`), UTF-8 without escaping (Korean stays
as it is), numbers never used for points (the payload holds points as exact decimal strings).
Times are ISO 8601 in Asia/Seoul (+09:00) with microseconds when present.

This module imports nothing from Django so that the migration backfill, the domain and the
newsroom's verification script (docs/verify_chain.py) compute exactly the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

CHAIN_VERSION = 1
SEOUL = ZoneInfo("Asia/Seoul")
# Payload keys that are internal bookkeeping (snapshot ids and input digests), never public.
PRIVATE_PAYLOAD_KEYS = frozenset({"snapshot"})


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def public_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a publication's payload the public sees and the chain covers."""
    return {key: value for key, value in payload.items() if key not in PRIVATE_PAYLOAD_KEYS}


def seoul_time(moment: dt.datetime) -> str:
    return moment.astimezone(SEOUL).isoformat()


def publication_record(
    *,
    program: str,
    stage: str,
    sequence: int,
    published_at: dt.datetime | str,
    corrects_sequence: int | None,
    note_ko: str,
    note_en: str,
    payload: Mapping[str, Any],
    previous_digest: str,
) -> dict[str, Any]:
    """The document whose canonical JSON is hashed (served as-is by the API)."""
    return {
        "chain_version": CHAIN_VERSION,
        "program": program,
        "stage": stage,
        "sequence": sequence,
        "published_at": published_at if isinstance(published_at, str) else seoul_time(published_at),
        "corrects_sequence": corrects_sequence,
        "note_ko": note_ko,
        "note_en": note_en,
        "payload": public_payload(payload),
        "previous_digest": previous_digest,
    }


def record_digest(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(record)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    position: int  # 0-based index in the chain
    sequence: int | None
    stage: str | None
    problem: str


def chain_verify(
    links: Iterable[Mapping[str, Any]], *, known_digests: Mapping[int, str] | None = None
) -> list[ChainProblem]:
    """Check a chain given as `{"record": …, "digest": …}` items, oldest first.

    1. Each record's `previous_digest` must be the digest of the item before it ("" for the
       first).
    2. Each item's digest must be the SHA-256 of its record's canonical JSON.
    3. Optionally, `known_digests` (position → digest a reader saved earlier) must still match,
       which catches a chain rewritten from some point on with fresh digests.
    Returns the problems found; an empty list means the chain holds.
    """
    problems: list[ChainProblem] = []
    previous = ""
    for position, link in enumerate(links):
        record = link["record"]
        where = {
            "position": position,
            "sequence": record.get("sequence"),
            "stage": record.get("stage"),
        }
        if record.get("previous_digest") != previous:
            problems.append(ChainProblem(**where, problem="previous_digest does not link"))
        if record_digest(record) != link["digest"]:
            problems.append(ChainProblem(**where, problem="digest does not match the record"))
        if (
            known_digests
            and position in known_digests
            and known_digests[position] != link["digest"]
        ):
            problems.append(ChainProblem(**where, problem="digest differs from the one saved"))
        previous = link["digest"]
    return problems
