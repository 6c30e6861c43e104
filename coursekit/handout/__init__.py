"""`coursekit handout`: the zip an instructor gives students (the handout folder,
requirements.txt and the means to get the data), usable without the kit."""
from .zipper import HandoutError, HandoutReport, write_handout

__all__ = ["HandoutError", "HandoutReport", "write_handout"]
