"""gongkai_desktop: offline 政务公开 self-inspection for 渝府办发〔2020〕89号.

The core package (everything except ``gongkai_desktop.ui``) never imports Qt.
"""

__version__ = "0.1.0"
APP_NAME = "gongkai-desktop"
APP_TITLE = "政务公开自查"
