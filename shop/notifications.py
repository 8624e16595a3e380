"""Placeholder; filled by the shop issue."""


def connect() -> None:
    pass
