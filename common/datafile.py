"""Load YAML data files that PES staff edit, keeping line numbers for errors.

Every error names the file, the line and the entry, so that an editor can fix a
content file without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class ContentError(ValueError):
    """A content file is missing, malformed or breaks a rule."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Node:
    """A YAML value with where it stands in its file."""

    value: Any
    path: Path
    line: int
    node: yaml.Node

    def error(self, message: str) -> ContentError:
        return ContentError(self.path, self.line, message)

    def mapping(self, what: str) -> dict[str, Node]:
        """The value as a mapping of str keys to nodes; an error otherwise."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"{what} must be a mapping of names to values")
        out: dict[str, Node] = {}
        for key_node, value_node in self.node.value:
            key = key_node.value
            if not isinstance(key, str) or not isinstance(key_node, yaml.ScalarNode):
                raise ContentError(self.path, key_node.start_mark.line + 1, f"bad key in {what}")
            if key in out:
                raise ContentError(
                    self.path, key_node.start_mark.line + 1, f"'{key}' appears twice in {what}"
                )
            out[key] = _wrap(value_node, self.path)
        return out

    def items(self, what: str) -> Iterator[Node]:
        """The value as a list of nodes; an error otherwise."""
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"{what} must be a list")
        for child in self.node.value:
            yield _wrap(child, self.path)

    def text(self, what: str, *, allow_empty: bool = False) -> str:
        """The value as a string; an error otherwise."""
        if not isinstance(self.value, str) or (not allow_empty and not self.value.strip()):
            raise self.error(f"{what} must be a non-empty text")
        return self.value


# libyaml's parser when PyYAML was built with it (ten times faster; same nodes and marks).
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _wrap(node: yaml.Node, path: Path) -> Node:
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    return Node(value=value, path=path, line=node.start_mark.line + 1, node=node)


def load(path: Path | str) -> Node:
    """Parse a YAML file into a Node tree; errors name the file and line."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        node = yaml.compose(source, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ContentError(path, line, f"not valid YAML: {exc.problem}") from None
    if node is None:
        raise ContentError(path, None, "file is empty")
    return _wrap(node, path)


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def entries(
    path: Path | str, listing: str, entry: str, required: tuple[str, ...]
) -> Iterator[tuple[Node, dict[str, Node]]]:
    """Each mapping in the file's ``listing`` list (``programmes:``), with its ``required``
    fields checked: errors such as "needs an 'offices' list" and "office needs 'phone'"."""
    path = Path(path)
    root = load(path).mapping(f"the {listing} file")
    if listing not in root:
        article = "an" if listing[:1] in "aeiou" else "a"
        raise ContentError(path, 1, f"needs {article} '{listing}' list")
    for item in root[listing].items(listing):
        fields = item.mapping(_a(entry))
        for name in required:
            if name not in fields:
                raise item.error(f"{entry} needs '{name}'")
        yield item, fields


ID = re.compile(r"^[a-z][a-z_]*$")


def check_id(
    node: Node, value: str, *, label: str, entry: str, example: str, seen: Container[str]
) -> None:
    """An entry's id is lower-case ASCII (``novo_mesto``) and not used before in the file.
    Errors: "city id 'Maribor' must be lower-case ASCII, like novo_mesto", "office
    'maribor' appears twice"."""
    if not ID.match(value):
        raise node.error(f"{label} id '{value}' must be lower-case ASCII, like {example}")
    if value in seen:
        raise node.error(f"{entry} '{value}' appears twice")
