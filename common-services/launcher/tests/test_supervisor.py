"""port_busy: tells a listening port from a free one."""

from __future__ import annotations

import socket

from platform_launcher.supervisor import port_busy
from simulator_kit.serve import free_port


def test_a_listening_port_is_busy_and_a_free_one_is_not() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert port_busy(sock.getsockname()[1])
    assert not port_busy(free_port())
