from enum import StrEnum

class Resolver(StrEnum):
    BIND = "bind"
    BIND_SECONDARY = "bind-secondary"
    KNOT = "knot"
    KNOT_RESOLVER = "knot-resolver"
    NSD = "nsd"
    POWERDNS = "powerdns"
    UNBOUND = "unbound"

    def __str__(self) -> str:
        return str(self.value)
