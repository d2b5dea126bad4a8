"""Shared helpers for the test suite: real SMTP server, hosts, API clients."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def wait_until(check, timeout: float = 30.0):
    """Poll ``check`` until it returns something truthy (connection errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CaughtEmail:
    to: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


@dataclass
class MailCatcher:
    """Messages received by a real SMTP server (aiosmtpd) on localhost."""

    messages: list[CaughtEmail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_seconds: float = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay_seconds:
            import asyncio

            await asyncio.sleep(self.delay_seconds)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(CaughtEmail(to=list(envelope.rcpt_tos), message=message))
        return "250 OK"

    def to(self, address: str) -> list[CaughtEmail]:
        with self.lock:
            return [caught for caught in self.messages if address in caught.to]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> list[CaughtEmail]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s) to {address}, got {len(self.to(address))}")


def start_smtp_server() -> tuple[Controller, MailCatcher]:
    catcher = MailCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, catcher


def data_queries(context) -> list[str]:
    """Captured SQL without django-tenants' own ``SET search_path`` statements."""
    return [
        query["sql"] for query in context.captured_queries if not query["sql"].startswith("SET search_path")
    ]


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in all_keys(item)}
    return set()
