"""The window side of delegation to the unit's own offices (下级单位, #14).

Every rule is a call into ``gongkai_desktop.delegation``; long work and file I/O run
through ``run_operation`` with their own ``Workspace.open`` in the worker.
"""
