"""A small HTML reader for page tests: find elements by id, tag and attributes, read their text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = field(default=None, repr=False)
    children: list[Element | str] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        """The element's text, whitespace collapsed (as a reader hears it, roughly)."""
        parts: list[str] = []

        def walk(node: Element | str) -> None:
            if isinstance(node, str):
                parts.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def iter(self) -> list[Element]:
        found: list[Element] = []
        for child in self.children:
            if isinstance(child, Element):
                found.append(child)
                found.extend(child.iter())
        return found

    def select(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Descendants with this tag (any if None) whose attributes equal `attrs` (`True`: present at all).

        Attribute names as keywords: `class_` (one of the classes), `aria_describedby` for aria-describedby.
        """
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}

        def matches(element: Element, name: str, value: str | bool) -> bool:
            if value is True:
                return name in element.attrs
            if name == "class":  # one of the element's classes
                return str(value) in (element.attrs.get("class") or "").split()
            return element.attrs.get(name) == value

        return [
            e for e in self.iter() if (tag is None or e.tag == tag) and all(matches(e, k, v) for k, v in wanted.items())
        ]

    def one(self, tag: str | None = None, **attrs: str | bool) -> Element:
        found = self.select(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {len(found)}"
        return found[0]

    def by_id(self, ident: str) -> Element:
        return self.one(id=ident)

    def terms(self) -> dict[str, str]:
        """A description list as {term: description}."""
        return dict(zip((e.text for e in self.select("dt")), (e.text for e in self.select("dd")), strict=True))

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.iter() if e.has_class(name)]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: (v or "") for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root
