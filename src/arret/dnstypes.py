"""dnspython's record types, all loaded when Arrêt's DNS code is first imported.

dnspython imports the module of a record type the first time it reads one (AAAA, TSIG…).
Two threads doing that at once can meet in a cycle of module imports, and Python then
gives one of them a half-initialized module: dnspython takes the type for unknown and
reads "leak.example. 60 IN AAAA 2001:db8::80" as malformed generic data (seen once in the
suite, where a probe's verdict became "an answer that cannot be read"). The feed's
server and the prober read answers in several threads, so every type is imported once,
here, by whichever thread imports Arrêt's DNS code first; a type dnspython does not know
still loads on demand."""

from __future__ import annotations

import dns.rdata

dns.rdata.load_all_types(disable_dynamic_load=False)  # type: ignore[no-untyped-call]
