"""YAML files read with every mapping key once. PyYAML keeps the last of two identical keys
silently: a code map with `1: ja` and, further down, `1: nee` would count every 1 as "nee" with no
trace. The config files, the codebook and the sector list are checked for such keys when the
workflow is parsed (a named `config:duplicate_key` problem: file, line, key path, both values) and
the codebook loader refuses them.

Plain Python and YAML only: it runs on every parse of the workflow.
"""
from __future__ import annotations

from pathlib import Path

import yaml

RULE = "config:duplicate_key"
# libyaml's loader where PyYAML was built with it: the same documents, nodes and line marks,
# ten times faster (the codebook is read several times on every parse of the workflow). A file
# that does not parse is read again by the pure-Python loader, whose error message names the line
# and shows it.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(ValueError):
    """A YAML file with a mapping key given twice; the message names file, lines, key and values."""


def _shown(node: yaml.Node) -> str:
    """A value as the file writes it (a nested mapping or list: its first line)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.value != "" or node.style else "null"
    return "{…}" if isinstance(node, yaml.MappingNode) else "[…]"


def _key(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value if isinstance(node, yaml.ScalarNode) else id(node)


def _walk(loader, node: yaml.Node, path: tuple[str, ...], found: list[str], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = _key(loader, key_node)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key (a list): PyYAML refuses it itself
                first = None
            where = ".".join(path) or "top level"
            if first is not None:
                first_key, first_value = first
                found.append(
                    f"{RULE}: {source} line {key_node.start_mark.line + 1}: {where} has key {key_node.value!r} twice: "
                    f"{first_key.value}: {_shown(first_value)} (line {first_key.start_mark.line + 1}) and "
                    f"{key_node.value}: {_shown(value_node)} (line {key_node.start_mark.line + 1}); YAML would keep "
                    f"only the last, silently. Fix: keep the one that is meant and delete the other")
            else:
                try:
                    seen[key] = (key_node, value_node)
                except TypeError:
                    pass
            _walk(loader, value_node, (*path, str(key_node.value if isinstance(key_node, yaml.ScalarNode) else "?")),
                  found, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            # a list entry with an id (codebook items, sectors) is named by it
            pairs = child.value if isinstance(child, yaml.MappingNode) else []
            name = next((v.value for k, v in pairs if isinstance(k, yaml.ScalarNode) and k.value == "id"
                         and isinstance(v, yaml.ScalarNode)), None)
            _walk(loader, child, (*path, f"[{name or i}]"), found, source)


def _checked(text: str, source: str) -> tuple[object, list[str]]:
    """The document of `text` (parsed once) and its keys given twice."""
    try:
        return _checked_with(FAST_LOADER, text, source)
    except yaml.YAMLError:
        return _checked_with(yaml.SafeLoader, text, source)


def _checked_with(loader_class, text: str, source: str) -> tuple[object, list[str]]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        found: list[str] = []
        if node is None:
            return None, found
        _walk(loader, node, (), found, source)
        return loader.construct_document(node), found
    finally:
        loader.dispose()


def duplicate_keys(text: str, source: str = "<yaml>") -> list[str]:
    """Every mapping key given twice in one mapping of the YAML `text` (1 and 1.0 are one key, as
    they are to PyYAML), as a problem naming `source`, lines, the key's path and both values."""
    return _checked(text, source)[1]


def duplicate_key_problems(paths) -> list[str]:
    """duplicate_keys of each of the files that exist and parse (a file that does not parse is
    reported by its own loader)."""
    problems = []
    for path in paths:
        if isinstance(path, (str, Path)) and Path(path).is_file():
            try:
                problems += duplicate_keys(Path(path).read_text(encoding="utf-8"), str(path))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
    return problems


def safe_load(stream) -> object:
    """yaml.safe_load, with libyaml where available; a document that does not parse raises
    PyYAML's own error (the pure-Python loader's message)."""
    text = stream if isinstance(stream, str) else stream.read()
    try:
        return yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def load_yaml(path) -> object:
    """yaml.safe_load of a file, refusing a mapping key given twice (DuplicateKeyError)."""
    document, problems = _checked(Path(path).read_text(encoding="utf-8"), str(path))
    if problems:
        raise DuplicateKeyError("\n".join(problems))
    return document
