import socket

import pytest

from tests.conftest import NetworkAccessError


def test_a_connection_attempt_fails_the_test() -> None:
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessError):
            sock.connect(("127.0.0.1", 9))
    finally:
        sock.close()
