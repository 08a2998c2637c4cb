"""Phone parsing speed: the fast North American path against plain phonenumbers.

    python benchmarks/bench_phones.py [--count N] [--seed S]

Builds N distinct random *valid US* numbers (default 100,000), written in a rotation of
everyday formats, then times:
  slow  -- collections_tui.domain.phones._parse_slow (phonenumbers parse, validation,
           type, zones) on every number;
  fast  -- parse_phone from a cold start (empty prefix caches; the one-time metadata
           analysis is timed separately), then again warm.
Every fast result is checked equal to the slow result. Prints µs/number and the
projection for an import of 1,000,000 accounts with 1.3 phones each.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import phonenumbers

from collections_tui.domain import phones

FORMATS = (
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "{a}.{b}.{c}",
    "{a}{b}{c}",
    "+1 {a} {b} {c}",
    "1-{a}-{b}-{c}",
    "+1{a}{b}{c}",
    "({a}) {b}-{c} x{x}",
)


def valid_us_numbers(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    seen: set[int] = set()
    texts: list[str] = []
    while len(texts) < count:
        nsn = rnd.randrange(2_000_000_000, 10_000_000_000)
        if nsn in seen:
            continue
        num = phonenumbers.PhoneNumber(country_code=1, national_number=nsn)
        if phonenumbers.region_code_for_number(num) != "US":
            continue
        if not phonenumbers.is_valid_number(num):
            continue
        seen.add(nsn)
        digits = str(nsn)
        fmt = FORMATS[len(texts) % len(FORMATS)]
        texts.append(fmt.format(a=digits[:3], b=digits[3:6], c=digits[6:], x=rnd.randrange(1, 999)))
    return texts


def per_number_us(seconds: float, count: int) -> float:
    return seconds / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    texts = valid_us_numbers(args.count, args.seed)
    print(f"built {len(texts):,} distinct valid US numbers in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    slow = [phones._parse_slow(t) for t in texts]
    slow_s = time.perf_counter() - t0

    phones._nanp_depths.cache_clear()
    phones._FACTS_CACHE.clear()
    phones._ZONES_CACHE.clear()
    t0 = time.perf_counter()
    depths = phones._nanp_depths()
    analysis_s = time.perf_counter() - t0
    assert depths is not None, "metadata analysis failed: fast path is off"

    t0 = time.perf_counter()
    cold = [phones.parse_phone(t) for t in texts]
    cold_s = time.perf_counter() - t0
    cache_sizes = (len(phones._FACTS_CACHE), len(phones._ZONES_CACHE))

    warm_s = min(_timed(lambda: [phones.parse_phone(t) for t in texts]) for _ in range(3))

    mismatches = sum(1 for a, b in zip(cold, slow, strict=True) if a != b)
    assert mismatches == 0, f"{mismatches} fast results differ from the slow path"

    n = len(texts)
    slow_us = per_number_us(slow_s, n)
    cold_us = per_number_us(cold_s, n)
    warm_us = per_number_us(warm_s, n)
    print(f"one-time metadata analysis     {analysis_s * 1000:8.1f} ms")
    print(f"slow path (phonenumbers)       {slow_us:8.2f} µs/number")
    print(
        f"fast path, cold caches         {cold_us:8.2f} µs/number"
        f"   {slow_us / cold_us:5.1f}x   (cache: {cache_sizes[0]:,} fact keys,"
        f" {cache_sizes[1]:,} zone keys)"
    )
    print(f"fast path, warm caches         {warm_us:8.2f} µs/number   {slow_us / warm_us:5.1f}x")
    phones_1m = 1_300_000
    print(
        f"1,000,000 accounts x 1.3 phones: slow {phones_1m * slow_us / 1e6:5.1f} s,"
        f" fast {phones_1m * cold_us / 1e6:5.1f} s (cold) / {phones_1m * warm_us / 1e6:4.1f} s"
        " (warm)"
    )
    print(f"all {n:,} fast results equal the slow path")


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
