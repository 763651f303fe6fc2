from enum import StrEnum

class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFERRED = "referred"
    REMOVED = "removed"
    UPHELD = "upheld"

    def __str__(self) -> str:
        return str(self.value)
