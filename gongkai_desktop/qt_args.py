"""Qt's own command-line options told apart from file names; no Qt import here.

Shared by the launcher (is this word a file or a mistyped command?) and the window
(which files to open), so both skip the same options.
"""

from __future__ import annotations

from collections.abc import Sequence

# Qt's command-line options that take a value ("-platform offscreen").
QT_VALUE_OPTIONS = {
    "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qwindowgeometry",
    "-qwindowicon", "-qwindowtitle", "-style", "-stylesheet", "-display", "-geometry",
    "-session", "-title", "-name", "-qmljsdebugger",
}


def file_arguments(argv: Sequence[str]) -> list[str]:
    """The non-option arguments (workspace files), Qt's options and their values skipped."""
    names = {o.lstrip("-") for o in QT_VALUE_OPTIONS}
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.split("=", 1)[0].lstrip("-") in names:
            skip = "=" not in arg
        elif not arg.startswith("-"):
            out.append(arg)
    return out
