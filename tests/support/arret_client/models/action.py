from enum import StrEnum

class Action(StrEnum):
    NODATA = "nodata"
    NOTICE = "notice"
    NXDOMAIN = "nxdomain"

    def __str__(self) -> str:
        return str(self.value)
