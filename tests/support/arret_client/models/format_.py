from enum import StrEnum

class Format(StrEnum):
    CSV = "csv"
    DNSMASQ = "dnsmasq"
    HOSTS = "hosts"
    JSON = "json"
    LIST = "list"
    RPZ = "rpz"
    UNBOUND = "unbound"

    def __str__(self) -> str:
        return str(self.value)
