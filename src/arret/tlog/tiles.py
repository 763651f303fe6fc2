"""The log's tree stored as tiles (the C2SP tlog-tiles layout), and RFC 9162 proofs read
from them — pure functions; where the tiles come from is the caller's.

A tile of level L holds up to 256 consecutive hashes of the tree's nodes of height 8·L
(level 0: the leaf hashes; level 1: the roots of the level-0 tiles, each over 256 leaves;
and so on). Tile N of level L covers the entries 256·N to 256·N + 255 of that height; it
is *full* with its 256 entries and then never changes, and *partial* (width W < 256)
while the tree has only W of them — a partial tile of width W never changes either, it is
just superseded by a wider one.

Any complete subtree of the tree (2^h leaves, aligned) is then the hash of at most 128
consecutive entries of one tile (those of height 8·⌊h/8⌋ under it), and an RFC 9162
proof is a list of O(log n) such subtrees (folded on the tree's right edge): a proof reads
a handful of tiles, never the leaves. The proofs below follow the recursive definitions
of RFC 9162 §2.1.3.1 and §2.1.4.1 with `range_hash(lo, hi)` standing for MTH(D[lo:hi]).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from arret.tlog.merkle import EMPTY_ROOT, node_hash

HEIGHT = 8
WIDTH = 1 << HEIGHT
HASH = 32

#: (level, index) → the tile's stored hashes, concatenated (at least as many as asked).
ReadTile = Callable[[int, int], bytes]


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def fold_perfect(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect tree over `hashes` (a power of two of them)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def split(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH] for i in range(0, len(blob), HASH)]


def path(level: int, index: int, width: int = WIDTH) -> str:
    """The tile's path under a log's prefix: `tile/<L>/<N>[.p/<W>]`, N in groups of three
    digits, all but the last prefixed with `x` (tile 1234067 is `x001/x234/067`)."""
    return f"tile/{level}/{encode_index(index)}" + (f".p/{width}" if width < WIDTH else "")


def entries_path(index: int, width: int = WIDTH) -> str:
    return f"tile/entries/{encode_index(index)}" + (f".p/{width}" if width < WIDTH else "")


def encode_index(index: int) -> str:
    text = str(index)
    text = "0" * (-len(text) % 3) + text
    groups = [text[i : i + 3] for i in range(0, len(text), 3)]
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def decode_index(text: str) -> int:
    """The tile index of a path's `x001/x234/067` (ValueError when it is not one)."""
    groups = text.split("/")
    if not groups or any(
        len(g) != (4 if i < len(groups) - 1 else 3)
        or (i < len(groups) - 1 and not g.startswith("x"))
        or not g.lstrip("x").isdigit()
        for i, g in enumerate(groups)
    ):
        raise ValueError(f"{text!r} is not a tile index")
    return int("".join(g.lstrip("x") for g in groups))


def widths(size: int, level: int) -> tuple[int, int]:
    """(how many full tiles, width of the partial tile after them) at `level` for a tree
    of `size` leaves."""
    entries = size >> (HEIGHT * level)
    return entries >> HEIGHT, entries & (WIDTH - 1)


class Tree:
    """The nodes of a tree of `size` leaves, read from tiles (each tile read once)."""

    def __init__(self, size: int, read: ReadTile) -> None:
        self.size, self.read = size, read
        self.cache: dict[tuple[int, int], bytes] = {}

    def _entries(self, level: int, start: int, count: int) -> list[bytes]:
        tile, offset = divmod(start, WIDTH)
        blob = self.cache.get((level, tile))
        if blob is None or len(blob) < (offset + count) * HASH:
            blob = self.read(level, tile)
            self.cache[(level, tile)] = blob
        if len(blob) < (offset + count) * HASH:
            raise LookupError(f"tile {level}/{tile} holds {len(blob) // HASH} hashes, not "
                              f"the {offset + count} a tree of {self.size} has")  # fmt: skip
        return split(blob[offset * HASH : (offset + count) * HASH])

    def node(self, height: int, index: int) -> bytes:
        """The root of the complete subtree of leaves index·2^h to (index+1)·2^h - 1."""
        if (index + 1) << height > self.size:
            raise ValueError(f"node {height}/{index} is not complete in a tree of {self.size}")
        level, rest = divmod(height, HEIGHT)
        return fold_perfect(self._entries(level, index << rest, 1 << rest))

    def range_hash(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) where [lo, hi) is a subtree the RFC's recursion reaches: lo aligned
        to the largest power of two below hi - lo (or hi - lo itself)."""
        if hi <= lo:
            return EMPTY_ROOT
        pieces = list(self._pieces(lo, hi))
        acc = pieces[-1]
        for piece in reversed(pieces[:-1]):
            acc = node_hash(piece, acc)
        return acc

    def _pieces(self, lo: int, hi: int) -> Iterator[bytes]:
        """The complete subtrees [lo, hi) is made of, largest (leftmost) first."""
        while lo < hi:
            height = (hi - lo).bit_length() - 1
            # lo is a multiple of 2^height where the recursion is concerned.
            if lo & ((1 << height) - 1):
                raise ValueError(f"[{lo}, {hi}) is not a subtree of the RFC's recursion")
            yield self.node(height, lo >> height)
            lo += 1 << height

    def root(self) -> bytes:
        return self.range_hash(0, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 §2.1.3.1)."""
        if not 0 <= index < self.size:
            raise ValueError(f"leaf {index} is not in a tree of {self.size}")
        proof: list[bytes] = []
        lo, hi = 0, self.size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                proof.append(self.range_hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.range_hash(lo, lo + k))
                lo += k
        return proof[::-1]

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """PROOF(old_size, D[size]) (RFC 9162 §2.1.4.1)."""
        if not 0 < old_size <= self.size:
            raise ValueError(f"no consistency proof from size {old_size} to size {self.size}")
        proof: list[bytes] = []
        lo, hi, m, complete = 0, self.size, old_size, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self.range_hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.range_hash(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        if not complete:
            proof.append(self.range_hash(lo, hi))
        return proof[::-1]


class Builder:
    """The tiles being filled at the right edge of a tree: `push` a leaf hash, and the
    tiles it changed are `dirty` (the level-0 one, and each one above whose lower tile it
    completed)."""

    def __init__(self, size: int, partial: dict[int, bytes]) -> None:
        """`partial`: level → the hashes of that level's partial tile for `size` leaves."""
        self.size = size
        self.partial = dict(partial)
        self.dirty: dict[tuple[int, int], bytes] = {}

    def push(self, leaf: bytes) -> None:
        level, entry, position = 0, leaf, self.size
        while True:
            tile = position >> HEIGHT
            blob = self.partial.get(level, b"") + entry
            self.dirty[(level, tile)] = blob
            if len(blob) < WIDTH * HASH:
                self.partial[level] = blob
                break
            self.partial[level] = b""
            entry = fold_perfect(split(blob))
            level, position = level + 1, tile
        self.size += 1


def partial_tiles(size: int) -> Iterator[tuple[int, int, int]]:
    """(level, tile index, width) of each partial tile of a tree of `size` leaves (the
    ones a `Builder` starts from)."""
    level = 0
    while size >> (HEIGHT * level):
        full, width = widths(size, level)
        if width:
            yield level, full, width
        level += 1


def build(hashes: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
    """Every tile of the tree of leaf hashes `hashes`, computed naively (each level from
    the one below) — for a migration, and for tests."""
    tiles: dict[tuple[int, int], bytes] = {}
    level, entries = 0, list(hashes)
    while entries:
        for start in range(0, len(entries), WIDTH):
            tiles[(level, start // WIDTH)] = b"".join(entries[start : start + WIDTH])
        entries = [
            fold_perfect(entries[i : i + WIDTH]) for i in range(0, len(entries) - WIDTH + 1, WIDTH)
        ]
        level += 1
    return tiles
