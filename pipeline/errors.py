"""Errors a user sees as one line: `path: reason`.

An ExtractionError carries its kind as data, set where it is raised: callers (the batch's statuses)
branch on the kind, never on the message, so a message can be reworded freely.
"""

from typing import Literal, get_args

# why a file could not be read: its content's fault (corrupt ... timeout), or not (unreadable: missing,
# a directory, no permission, a cache file gone)
Kind = Literal["corrupt", "encrypted", "empty", "too_large", "unsupported", "timeout", "unreadable"]
KINDS: tuple[Kind, ...] = get_args(Kind)


class NianbaoError(Exception):
    """A failure we can explain in one line; never shown as a traceback.

    `path` names the file it is about (set by extract()); the message itself never repeats it, since
    the command line prints `path: reason`. A traceback shows it too, as a note.
    """

    path: str | None = None


class ExtractionError(NianbaoError):
    """The source file could not be read; `kind` says why, the message says it to a person."""

    def __init__(self, message: str, kind: Kind = "corrupt") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown extraction failure kind {kind!r}; one of {', '.join(KINDS)}")
        super().__init__(message)
        self.kind: Kind = kind

    def __reduce__(self) -> tuple:
        """Keep the kind through pickling (an error sent between processes would otherwise turn corrupt)."""
        return type(self), (str(self), self.kind)


class NotAReportError(NianbaoError):
    """The file was read but holds none of the template's tables."""


class DocumentTimeout(BaseException):  # noqa: N818 - named for what the user sees
    """A document ran past its time limit.

    A BaseException, like KeyboardInterrupt, so that no extractor's broad `except Exception`
    can turn it into a misleading "broken file" reason; the CLI catches it by name.
    """
