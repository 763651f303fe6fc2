from enum import StrEnum

class AttachKind(StrEnum):
    DECISION = "decision"
    EVIDENCE = "evidence"

    def __str__(self) -> str:
        return str(self.value)
