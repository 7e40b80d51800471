"""AMQP topic-exchange matching: `*` stands for exactly one word, `#` for zero or more.

The grammar makes every pattern well formed: words are names, `*` or `#`, joined by dots.
"""

from __future__ import annotations

from functools import lru_cache


def pattern_matches(pattern: str, topic: str) -> bool:
    return _match(tuple(pattern.split(".")), tuple(topic.split(".")))


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or head == words[0]) and _match(rest, words[1:])
