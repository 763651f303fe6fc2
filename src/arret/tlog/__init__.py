"""The transparency log: a Merkle tree of every event and every published feed,
as RFC 9162 (Certificate Transparency 2.0) defines it."""
