"""Black-stable layout of bracketed Python expressions, nested to any depth.

The rule: a bracket whose one-line form fits stays on one line; otherwise it is exploded one
item per line with a trailing comma, and each item is laid out the same way. Black keeps that
form as it is (a magic trailing comma pins an exploded bracket), so rendered code is
black-clean without running black.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE = 88  # black's default: the output lands in projects whose settings we do not know


@dataclass(frozen=True)
class Group:
    """`open` items `close`, e.g. `self._send(` ... `)` or `{` ... `}`; items are str or Group."""

    open: str
    items: tuple[str | Group, ...]
    close: str


Node = str | Group


def flat(node: Node) -> str:
    if isinstance(node, str):
        return node
    return node.open + ", ".join(flat(i) for i in node.items) + node.close


def layout(node: Node, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """Lines (indent included) for `prefix + node + suffix`."""
    pad = " " * indent
    one = pad + prefix + flat(node) + suffix
    if len(one) <= LINE or isinstance(node, str) or not node.items:
        return [one]
    out = [pad + prefix + node.open]
    for item in node.items:
        out.extend(layout(item, indent + 4, "", ","))
    out.append(pad + node.close + suffix)
    return out


def statement(node: Node, indent: int, prefix: str = "", suffix: str = "") -> str:
    return "\n".join(layout(node, indent, prefix, suffix))
