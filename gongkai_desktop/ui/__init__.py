"""The Qt window. Everything here calls the core; nothing here holds domain logic."""

from gongkai_desktop.ui.common import pyside_fixes

pyside_fixes.install()  # before any window code emits a signal (see the module)
pyside_fixes.fast_feature_check()  # before the window's modules are imported
