"""RFC 9162 Merkle trees: roots, inclusion and consistency proofs, against the RFC's own definitions.

The fast implementation (complete subtrees, iterative proofs) is compared with the recursive
definitions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 written out naively here, and with the
roots of the 8-leaf test tree of the Certificate Transparency reference implementation.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import merkle
from protocol.merkle import MemoryTree, leaf_hash, node_hash, verify_consistency, verify_inclusion

# certificate-transparency: the leaves of the test tree (hex) and the roots of its first 1..8 leaves
CT_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
MAX_SIZE = 40


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, by the recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = _k(len(leaves))
    return node_hash(naive_mth(leaves[:k]), naive_mth(leaves[k:]))


def naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def data(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def tree_of(leaves: list[bytes]) -> MemoryTree:
    return MemoryTree(leaf_hash(leaf) for leaf in leaves)


def test_the_roots_of_the_certificate_transparency_test_tree() -> None:
    leaves = [bytes.fromhex(h) for h in CT_LEAVES]
    tree = tree_of(leaves)

    assert [tree.root(size).hex() for size in range(1, 9)] == CT_ROOTS
    assert [naive_mth(leaves[:size]).hex() for size in range(1, 9)] == CT_ROOTS
    assert tree.root(0) == hashlib.sha256(b"").digest()


def test_roots_proofs_match_the_recursive_definitions() -> None:
    leaves = data(MAX_SIZE)
    tree = tree_of(leaves)
    for n in range(1, MAX_SIZE + 1):
        assert tree.root(n) == naive_mth(leaves[:n])
        for m in range(n):
            assert tree.inclusion_proof(m, n) == naive_path(m, leaves[:n]), (m, n)
        for m in range(1, n):
            assert tree.consistency_proof(m, n) == naive_subproof(m, leaves[:n], True), (m, n)


def test_every_inclusion_proof_verifies_and_no_other_leaf_or_index_does() -> None:
    leaves = data(MAX_SIZE)
    tree = tree_of(leaves)
    for n in range(1, MAX_SIZE + 1):
        root = tree.root(n)
        for m in range(n):
            path = tree.inclusion_proof(m, n)
            assert verify_inclusion(leaf_hash(leaves[m]), m, n, path, root)
            assert not verify_inclusion(leaf_hash(b"another leaf"), m, n, path, root)
            if n > 1:
                assert not verify_inclusion(leaf_hash(leaves[m]), (m + 1) % n, n, path, root)
            # (the size itself is not bound by the path: index 0 of 3 and of 4 share one; the
            # signed tree head binds size and root together)


def test_every_consistency_proof_verifies_and_a_different_old_tree_does_not() -> None:
    leaves = data(MAX_SIZE)
    tree = tree_of(leaves)
    forged = tree_of([b"rewritten", *leaves[1:]])
    for n in range(1, MAX_SIZE + 1):
        for m in range(0, n + 1):
            proof = tree.consistency_proof(m, n)
            assert verify_consistency(m, n, tree.root(m), tree.root(n), proof), (m, n)
            if 0 < m < n:
                # a log that rewrote leaf 0 cannot prove it extends the tree the verifier kept
                assert not verify_consistency(m, n, tree.root(m), forged.root(n), forged.consistency_proof(m, n))
                assert not verify_consistency(m, n, forged.root(m), tree.root(n), proof)


def test_proofs_refuse_sizes_outside_the_tree() -> None:
    tree = tree_of(data(5))
    with pytest.raises(ValueError):
        tree.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        tree.consistency_proof(4, 3)
    assert not verify_consistency(4, 3, tree.root(4), tree.root(3), [])
    assert not verify_consistency(3, 5, tree.root(3), tree.root(5), [])
    assert not verify_inclusion(leaf_hash(b"leaf 0"), 0, 0, [], merkle.EMPTY_ROOT)


def test_completed_nodes_build_the_same_tree_as_memory() -> None:
    stored: dict[tuple[int, int], bytes] = {}
    leaves = data(37)
    for index, leaf in enumerate(leaves):
        for level, i, digest in merkle.completed_nodes(index, leaf_hash(leaf), lambda lv, ix: stored[(lv, ix)]):
            stored[(level, i)] = digest
    tree = tree_of(leaves)

    assert stored == {(lv, i): h for lv, nodes in enumerate(tree.levels) for i, h in enumerate(nodes)}
    assert merkle.root_from_subtrees(37, lambda lv, ix: stored[(lv, ix)]) == naive_mth(leaves)


def test_the_streaming_root_is_the_tree_root_at_every_size() -> None:
    leaves = data(MAX_SIZE)
    accumulator = merkle.RootAccumulator()
    assert accumulator.root() == naive_mth([])
    for n, leaf in enumerate(leaves, start=1):
        accumulator.append(leaf_hash(leaf))
        assert accumulator.root() == naive_mth(leaves[:n]), n
    assert accumulator.size == MAX_SIZE


def _flip(value: bytes, position: int) -> bytes:
    position %= len(value)
    return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(0, 10_000))))
def test_a_flipped_byte_anywhere_in_an_inclusion_proof_fails(case: tuple[int, int, int]) -> None:
    n, m, where = case
    tree = tree_of(data(n))
    leaf, path, root = tree.levels[0][m], tree.inclusion_proof(m, n), tree.root(n)
    assert verify_inclusion(leaf, m, n, path, root)
    parts = [leaf, *path, root]
    target = where % len(parts)
    parts[target] = _flip(parts[target], where)
    assert not verify_inclusion(parts[0], m, n, parts[1:-1], parts[-1])


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1), st.integers(0, 10_000))))
def test_a_flipped_byte_anywhere_in_a_consistency_proof_fails(case: tuple[int, int, int]) -> None:
    n, m, where = case
    tree = tree_of(data(n))
    old, new, proof = tree.root(m), tree.root(n), tree.consistency_proof(m, n)
    assert verify_consistency(m, n, old, new, proof)
    parts = [old, new, *proof]
    target = where % len(parts)
    parts[target] = _flip(parts[target], where)
    assert not verify_consistency(m, n, parts[0], parts[1], parts[2:])
