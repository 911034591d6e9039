"""Typesetting shared by the report and the signer: page geometry, fonts, PDF marks.

A leaf below both ``report`` (which lays pages out) and ``signing`` (which puts its
stamp in the box the layout reserved and reads the content fingerprint back), so
neither imports the other for these facts. No Qt here.
"""
