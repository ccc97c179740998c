"""Merkle tree hashing and proofs exactly as RFC 9162 (Certificate Transparency 2.0) defines them.

The tree over leaves d[0:n] (RFC 9162 §2.1.1):

    MTH({})      = SHA-256()
    MTH({d0})    = SHA-256(0x00 || d0)                      the leaf hash
    MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k the largest power of two < n

An inclusion proof (§2.1.3) is the audit path of a leaf, from the leaf up; a consistency proof
(§2.1.4) shows that the tree of size m is a prefix of the tree of size n. The verification
functions follow §2.1.3.2 and §2.1.4.2 step by step, so a third party can compare them line by
line with the RFC. Hashes are raw 32-byte values here; the API prints them in lowercase hex.

Producing proofs needs node hashes; `Nodes` is how a caller supplies them (`subtree(level, index)`
is the hash of the complete subtree of 2**level leaves starting at leaf index * 2**level), so the
same code serves a list in memory and a table of stored nodes: O(log n) node reads per proof.
This module is pure (standard library only) and knows nothing of events or databases.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# The hash of the complete subtree at (level, index): 2**level leaves from index * 2**level.
SubtreeHash = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf): the hash of one leaf."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where MTH splits D[n]."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_subtrees(size: int, subtree: SubtreeHash) -> bytes:
    """MTH of the first `size` leaves from the hashes of complete subtrees: O(log size) of them.

    The tree of n leaves is its complete left subtrees (one per set bit of n, largest first)
    folded from the right, which is what the recursive definition computes.
    """
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, subtree)


def _range_hash(start: int, end: int, subtree: SubtreeHash) -> bytes:
    """MTH(D[start:end]) where `start` is a multiple of the range's split size (always so in MTH)."""
    width = end - start
    if width & (width - 1) == 0:  # a power of two, aligned: one stored subtree
        level = width.bit_length() - 1
        return subtree(level, start >> level)
    k = _split(width)
    return node_hash(subtree(k.bit_length() - 1, start // k), _range_hash(start + k, end, subtree))


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1: the audit path of leaf `index`, leaf level first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(_range_hash(start + k, end, subtree))
            end = start + k
        else:
            path.append(_range_hash(start, start + k, subtree))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: shows the tree of `old_size` leaves is a prefix of `new_size`.

    Empty when m == n (nothing to prove) and when m == 0 (every tree extends the empty one).
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    # SUBPROOF(m, D[start:end], whole), iteratively; nodes are collected leaf side last, then reversed
    while True:
        width = end - start
        if m == width:
            if not whole:
                proof.append(_range_hash(start, end, subtree))
            break
        k = _split(width)
        if m <= k:
            proof.append(_range_hash(start + k, end, subtree))
            end = start + k
        else:
            proof.append(_range_hash(start, start + k, subtree))
            start, m, whole = start + k, m - k, False
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `path` prove that the leaf hash `leaf` is leaf `index` of the tree `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show tree (`old_size`, `old_root`) is a prefix of (`new_size`, `new_root`)?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree; nothing to check
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 1: a power of two, its root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:  # step 3
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 4
    for c in path[1:]:  # step 5
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0  # step 6


class MemoryTree:
    """A whole tree in memory: every level of complete subtrees. For tests and for `log verify`."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaf_hashes:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        """Add a leaf hash; completes the subtrees it closes (amortised O(1) hashes)."""
        self.levels[0].append(leaf)
        level, index = 0, len(self.levels[0]) - 1
        while index & 1:
            if len(self.levels) == level + 1:
                self.levels.append([])
            nodes = self.levels[level]
            self.levels[level + 1].append(node_hash(nodes[index - 1], nodes[index]))
            level, index = level + 1, index >> 1

    def __len__(self) -> int:
        return len(self.levels[0])

    def subtree(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return root_from_subtrees(len(self) if size is None else size, self.subtree)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, len(self) if size is None else size, self.subtree)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, len(self) if new_size is None else new_size, self.subtree)


class RootAccumulator:
    """The root of a stream of leaf hashes in O(log n) memory: the complete subtrees along the right edge.

    For verifiers that read many leaves once (`herstel log verify`, an export's verifier): what
    `MemoryTree` computes, without keeping the leaves.
    """

    def __init__(self) -> None:
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing

    def append(self, leaf: bytes) -> None:
        level, current = 0, leaf
        while self._frontier and self._frontier[-1][0] == level:
            _, left = self._frontier.pop()
            level, current = level + 1, node_hash(left, current)
        self._frontier.append((level, current))
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves appended so far."""
        if not self._frontier:
            return EMPTY_ROOT
        current = self._frontier[-1][1]
        for _, left in reversed(self._frontier[:-1]):
            current = node_hash(left, current)
        return current


def completed_nodes(index: int, leaf: bytes, left_neighbours: SubtreeHash) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) of the complete subtrees that appending leaf `index` closes, level 0 first.

    `left_neighbours(level, i)` reads an already stored subtree. This is how a stored log keeps
    its nodes: each append writes the leaf and the O(1) amortised parents it completes.
    """
    nodes = [(0, index, leaf)]
    level, i, current = 0, index, leaf
    while i & 1:
        current = node_hash(left_neighbours(level, i - 1), current)
        level, i = level + 1, i >> 1
        nodes.append((level, i, current))
    return nodes


def multi_inclusion_proof(indices: Sequence[int], size: int, subtree: SubtreeHash) -> list[bytes]:
    """The inclusion proof of many leaves at once (docs/timeline.md, "Bundle format 2"): left to right,
    the hash of every range of MTH's recursion over D[size] that holds none of `indices` and whose
    parent range holds one. `indices` strictly increasing, each below `size`.

    With the leaves' hashes these are exactly what `root_from_leaves` needs to recompute the root:
    for k neighbouring leaves about 2·log2(size) nodes, instead of k audit paths of log2(size) each.
    """
    if any(b <= a for a, b in itertools.pairwise(indices)) or (indices and not 0 <= indices[0] <= indices[-1] < size):
        raise ValueError("leaf indices must be strictly increasing and inside the tree")
    nodes: list[bytes] = []
    position = 0  # the first of `indices` not yet reached

    def walk(start: int, end: int) -> None:
        nonlocal position
        if position == len(indices) or indices[position] >= end:
            nodes.append(_range_hash(start, end, subtree))
        elif end - start == 1:
            position += 1
        else:
            k = _split(end - start)
            walk(start, start + k)
            walk(start + k, end)

    if size:
        walk(0, size)
    return nodes


class ProofShapeError(ValueError):
    """The leaves and nodes given to `root_from_leaves` do not fit a tree of that size."""


def root_from_leaves(size: int, leaves: Iterable[tuple[int, bytes]], nodes: Iterable[bytes]) -> bytes:
    """MTH(D[size]) from some leaves (index, leaf hash), in increasing index order, and the nodes of
    their `multi_inclusion_proof` in order; both are read once, as streams (memory O(log size)).

    Equal to the signed root only if every given leaf hash is the tree's leaf at its index.
    Raises ProofShapeError when an index is out of order or outside the tree, or when the nodes
    run out or are left over.
    """
    leaf_stream, node_stream = iter(leaves), iter(nodes)
    current = next(leaf_stream, None)

    def walk(start: int, end: int) -> bytes:
        nonlocal current
        if current is None or current[0] >= end:
            node = next(node_stream, None)
            if node is None:
                raise ProofShapeError("fewer nodes than the leaves' positions need")
            return node
        if end - start == 1:
            leaf = current[1]
            following = next(leaf_stream, None)
            if following is not None and following[0] <= current[0]:
                raise ProofShapeError(f"leaf index {following[0]} does not follow {current[0]}")
            current = following
            return leaf
        k = 1 << ((end - start - 1).bit_length() - 1)
        return node_hash(walk(start, start + k), walk(start + k, end))

    if current is not None and current[0] < 0:
        raise ProofShapeError(f"leaf index {current[0]} is negative")
    root = walk(0, size) if size else EMPTY_ROOT
    if current is not None:
        raise ProofShapeError(f"leaf index {current[0]} is not in a tree of size {size}")
    if next(node_stream, None) is not None:
        raise ProofShapeError("more nodes than the leaves' positions need")
    return root
