import sys

from gongkai_desktop.launcher import main

sys.exit(main())
