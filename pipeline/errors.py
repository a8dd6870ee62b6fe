"""Errors a user sees as one line: `path: reason`."""


class NianbaoError(Exception):
    """A failure we can explain in one line; never shown as a traceback."""


class ExtractionError(NianbaoError):
    """The source file could not be read (corrupt, encrypted, unsupported, empty...).

    `kind` says which (corrupt, encrypted, empty, too_large, unsupported, timeout), so that a batch
    records the status without reading the reason's words.
    """

    def __init__(self, message: str, kind: str = "corrupt") -> None:
        super().__init__(message)
        self.kind = kind


class NotAReportError(NianbaoError):
    """The file was read but holds none of the template's tables."""


class DocumentTimeout(BaseException):  # noqa: N818 - named for what the user sees
    """A document ran past its time limit.

    A BaseException, like KeyboardInterrupt, so that no extractor's broad `except Exception`
    can turn it into a misleading "broken file" reason; the CLI catches it by name.
    """
