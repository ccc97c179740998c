"""protocol.export_verify: the shortcut over shared audit paths accepts exactly what RFC 9162 accepts."""

from __future__ import annotations

import ast
import hashlib
import random
import sys
from pathlib import Path

import pytest

import protocol.export_verify
import protocol.merkle
from protocol.export_verify import Head, _PathChecker
from protocol.merkle import MemoryTree, leaf_hash, verify_inclusion


def hexed(path: list[bytes]) -> bytes:
    """The path as `protocol.export_verify` reads it from proofs.jsonl, with the trailing comma it adds."""
    return b"".join(b'"' + node.hex().encode() + b'",' for node in path)


def tree(size: int) -> MemoryTree:
    return MemoryTree(leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(size))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100, 257])
def test_contiguous_and_sparse_leaves_are_accepted_like_the_rfc_check(size: int) -> None:
    memory = tree(size)
    head = Head(size, memory.root())
    rng = random.Random(size)
    for indices in (range(size), sorted(rng.sample(range(size), max(1, size // 3)))):
        checker = _PathChecker(head)
        for index in indices:
            path = memory.inclusion_proof(index)
            assert verify_inclusion(memory.levels[0][index], index, size, path, head.root)
            assert checker.check(memory.levels[0][index], index, hexed(path)), index


@pytest.mark.parametrize("size", [2, 7, 64, 100])
def test_any_flipped_node_or_wrong_leaf_is_refused_even_after_good_neighbours(size: int) -> None:
    memory = tree(size)
    head = Head(size, memory.root())
    for bad in range(size):
        for node in range(len(memory.inclusion_proof(bad))):
            checker = _PathChecker(head)
            for index in range(bad):
                assert checker.check(memory.levels[0][index], index, hexed(memory.inclusion_proof(index)))
            path = memory.inclusion_proof(bad)
            path[node] = bytes([path[node][0] ^ 1]) + path[node][1:]
            assert not checker.check(memory.levels[0][bad], bad, hexed(path)), (bad, node)
        checker = _PathChecker(head)
        if bad:
            assert checker.check(memory.levels[0][bad - 1], bad - 1, hexed(memory.inclusion_proof(bad - 1)))
        assert not checker.check(leaf_hash(b"other"), bad, hexed(memory.inclusion_proof(bad)))


def test_the_verifier_imports_only_the_standard_library_cryptography_and_merkle() -> None:
    allowed = set(sys.stdlib_module_names) | {"cryptography", "__future__"}
    for module in (protocol.export_verify, protocol.merkle):
        source = ast.parse(Path(str(module.__file__)).read_text("utf-8"))
        for node in ast.walk(source):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] in allowed or name == "protocol.merkle", f"{module.__name__} imports {name}"
