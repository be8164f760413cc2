"""Errors the typesetting engine raises. Messages are Chinese: they reach advertisers and editors."""


class RenderError(Exception):
    """Typesetting or rendering failed; str(error) is a Chinese message saying what to do."""


class InputTooLarge(RenderError):
    """The notice or column is over the engine's input bounds (a RenderError, raised before work)."""


class RenderTimeout(RenderError):
    """The renderer exceeded its time limit and was stopped."""
