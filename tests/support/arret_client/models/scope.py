from enum import StrEnum

class Scope(StrEnum):
    EXACT = "exact"
    SUBTREE = "subtree"

    def __str__(self) -> str:
        return str(self.value)
