"""Errors a user sees as one line: `path: reason`."""


class NianbaoError(Exception):
    """A failure we can explain in one line; never shown as a traceback.

    `path` names the file it is about (set by extract()); the message itself never repeats it, since
    the command line prints `path: reason`. A traceback shows it too, as a note.
    """

    path: str | None = None


class ExtractionError(NianbaoError):
    """The source file could not be read (corrupt, encrypted, unsupported, empty...)."""


class NotAReportError(NianbaoError):
    """The file was read but holds none of the template's tables."""


class DocumentTimeout(BaseException):  # noqa: N818 - named for what the user sees
    """A document ran past its time limit.

    A BaseException, like KeyboardInterrupt, so that no extractor's broad `except Exception`
    can turn it into a misleading "broken file" reason; the CLI catches it by name.
    """
