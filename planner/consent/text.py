"""The form text's plain format, read into blocks a template can lay out."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a list (``items``)."""

    kind: Literal["heading", "paragraph", "list"]
    text: str = ""
    items: tuple[str, ...] = ()


def form_blocks(body: str) -> list[Block]:
    """Split a form's text: ``## `` headings, ``- `` list items, paragraphs."""
    blocks: list[Block] = []
    items: list[str] = []

    def close_list() -> None:
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        close_list()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(Block("heading", line[3:].strip()))
        else:
            blocks.append(Block("paragraph", line))
    close_list()
    return blocks
