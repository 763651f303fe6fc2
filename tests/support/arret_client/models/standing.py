from enum import StrEnum

class Standing(StrEnum):
    HOST = "host"
    OTHER = "other"
    OWNER = "owner"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
