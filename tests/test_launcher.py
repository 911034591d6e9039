from gongkai_desktop.cli import command_names
from gongkai_desktop.launcher import CLI_COMMANDS, wants_cli


def test_every_sub_command_goes_to_the_command_line() -> None:
    assert command_names() <= CLI_COMMANDS


def test_a_file_or_nothing_starts_the_window() -> None:
    assert not wants_cli([])
    assert not wants_cli(["万州区.gkws"])
    assert not wants_cli(["-platform", "offscreen"])
    assert wants_cli(["--self-test"]) and wants_cli(["summary", "x.gkws", "--json"])
