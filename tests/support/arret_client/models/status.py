from enum import StrEnum

class Status(StrEnum):
    EXPIRED = "expired"
    IN_FORCE = "in-force"
    LIFTED = "lifted"
    SCHEDULED = "scheduled"

    def __str__(self) -> str:
        return str(self.value)
