"""Full transfers made from chunks rendered once (`render.RenderCache`) are byte for byte
what the record-by-record renderer makes (`entry_records` packed by `packed`, the way
every transfer was made before): the same messages, the same owners left out and counted,
for any entries — well-formed or not — any zone name, any chunk size and any message size.

Tried: owners with "rpz-" labels, special-use tops, upper case, non-ASCII, empty and
64-octet labels, "*" inside a name, the renderer's own markers ("|", "~"), owners too long
for a long zone name only, entries of several kinds in one chunk, messages so small that a
record fills one alone."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from arret.feed import render
from arret.rpz.zone import PASSTHRU_KIND, Delta, FeedSettings, ZoneEntries

PARTS = render.Parts.of(FeedSettings(notice_host="notice.example.", ttl=300))
KINDS = sorted(PARTS.tails)
assert PASSTHRU_KIND in KINDS

label = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)
odd_label = st.sampled_from(
    ["rpz-ip", "xrpz-y", "Upper", "é", "", "a" * 63, "b" * 64, "*", "a*b", "|", "~", "a~b"]
)
COMMON = ["example", "fr", "com"] * 2
SPECIAL = ["test", "local", "onion", "arpa", "alt", "invalid", "localhost"]
top = st.sampled_from([*COMMON, *SPECIAL, "salt", "contest"])


@st.composite
def owners(draw: st.DrawFn) -> str:
    odd = draw(st.integers(0, 9)) == 0  # most owners well formed, so most chunks render fast
    labels = draw(st.lists(odd_label if odd else label, min_size=0, max_size=4))
    name = ".".join([*labels, draw(top)])
    if draw(st.booleans()):
        name = "*." + name
    if draw(st.integers(0, 30)) == 0:
        name = ".".join(["c" * 60] * 3) + "." + name  # long: too long under a long zone only
    return name


def reference(zone: str, serial: int, entries: list[tuple[str, str]], room: int) -> tuple:
    refusals = render.Refusals()
    soa = PARTS.soa(serial)
    records = [soa, PARTS.ns, *render.entry_records(entries, PARTS, zone, refusals), soa]
    return list(render.packed(records, room)), refusals.by_zone[zone]


@settings(max_examples=300, deadline=None)
@given(
    entries=st.lists(st.tuples(owners(), st.sampled_from(KINDS)), max_size=60),
    zone=st.sampled_from(["o.rpz.arret.", "orange.rpz.arret.", ("z" * 60 + ".") * 3]),
    chunk=st.sampled_from([1, 2, 3, 7, 1024]),
    room=st.sampled_from([1, 40, 100, 333, 65000]),
    single_kind=st.booleans(),
)
@example(entries=[("*.leak.example", "nxdomain"), ("leak.example", "nxdomain")],
         zone="orange.rpz.arret.", chunk=1024, room=65000, single_kind=True)  # fmt: skip
def test_chunks_rendered_once_make_the_transfer_record_by_record_makes(
    entries: list[tuple[str, str]], zone: str, chunk: int, room: int, single_kind: bool
) -> None:
    if single_kind:
        entries = [(owner, "nxdomain") for owner, _ in entries]
    entries = sorted(dict(entries).items())
    held = ZoneEntries(entries, chunk)
    expected, refused = reference(zone, 7, entries, room)
    cache = render.RenderCache()
    for _ in range(2):  # rendered, then kept
        assert list(cache.full_zone(zone, 7, held, PARTS, room)) == expected
        assert cache.refusals.by_zone[zone] == refused
        cache.refusals.by_zone.clear()
    # A sequence that is not a ZoneEntries is rendered the same, and nothing is kept of it.
    other = render.RenderCache()
    assert list(other.full_zone(zone, 7, entries, PARTS, room)) == expected
    assert other.size == 0


@settings(max_examples=100, deadline=None)
@given(
    entries=st.lists(
        st.tuples(st.from_regex(r"(\*\.)?([a-z0-9-]{1,20}\.){0,3}(example|fr)", fullmatch=True),
                  st.sampled_from(KINDS)),
        min_size=1, max_size=80,
    )
)  # fmt: skip
def test_well_formed_chunks_of_any_kinds_render_at_once(entries: list[tuple[str, str]]) -> None:
    entries = sorted(dict(entries).items())
    made = render.render_chunk(entries, PARTS)
    assert made is not None  # not the record-by-record way
    records = list(render.entry_records(entries, PARTS, "a.", render.Refusals()))
    assert made.wire == b"".join(records)
    assert list(made.ends) == list(itertools.accumulate(map(len, records)))
    assert made.fits("a.") and made.longest == max(len(owner) for owner, _ in entries)


def test_zones_and_versions_share_the_chunks_they_hold() -> None:
    entries = [(f"site-{i}.cache.example", "nxdomain") for i in range(3_000)]
    one = ZoneEntries(sorted(entries), chunk=1024)
    cache = render.RenderCache()
    cache.prepare(one, PARTS)
    size = cache.size
    assert size > 3_000 * 20
    for zone in ("a.rpz.arret.", "b.rpz.arret.", "c.rpz.arret."):
        assert (
            list(cache.full_zone(zone, 1, one, PARTS, 65000))
            == reference(zone, 1, sorted(entries), 65000)[0]
        )
    assert cache.size == size  # three zones, one copy
    # An amendment: the next version shares every chunk but the one it changed.
    two = one.apply(Delta((), (("site-new.cache.example", "nxdomain"),)))
    cache.prepare(two, PARTS)
    changed = [c for c in two.chunks if all(c is not d for d in one.chunks)]
    assert len(changed) == 1
    assert size < cache.size < size + 2 * sum(len(o) + 20 for o, _ in changed[0])
    cache.retain([two])  # the old version served by no zone any more: its chunk goes
    assert cache.size < size + 1_000
    assert (
        list(cache.full_zone("a.rpz.arret.", 2, two, PARTS, 65000))
        == reference("a.rpz.arret.", 2, list(two), 65000)[0]
    )


def test_the_cache_is_bounded_by_bytes() -> None:
    entries = ZoneEntries(sorted((f"site-{i}.cache.example", "nxdomain") for i in range(5_000)))
    whole = render.RenderCache()
    whole.prepare(entries, PARTS)
    small = render.RenderCache(budget=whole.size // 2)
    expected = reference("a.rpz.arret.", 1, list(entries), 65000)[0]
    for _ in range(3):
        assert list(small.full_zone("a.rpz.arret.", 1, entries, PARTS, 65000)) == expected
        assert 0 < small.size <= small.budget
    none = render.RenderCache(budget=10)
    assert list(none.full_zone("a.rpz.arret.", 1, entries, PARTS, 65000)) == expected
    assert none.size == 0  # no chunk fits: served, not kept
    # Another feed's settings (another notice host): rendered again, not taken from a
    # chunk rendered for the first ones.
    other = render.Parts.of(FeedSettings(notice_host="elsewhere.example.", ttl=300))
    notice = ZoneEntries([("site.example", "notice")])
    cache = render.RenderCache()
    first = list(cache.full_zone("a.", 1, notice, PARTS, 65000))
    second = list(cache.full_zone("a.", 1, notice, other, 65000))
    assert b"elsewhere" in second[0][1] and b"elsewhere" not in first[0][1]
