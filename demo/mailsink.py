"""A local SMTP server for the demo: stores every email under .var/mail and prints its links.

Run: python -m demo.mailsink --port 1025 --dir .var/mail
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import time
from pathlib import Path

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


class SavingHandler:
    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        links = LINK.findall(body.get_content() if body else "")
        print(f"[mail] to {', '.join(envelope.rcpt_tos)}: {message['subject']}", flush=True)
        for link in links[:3]:
            print(f"[mail]   {link}", flush=True)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default=".var/mail")
    args = parser.parse_args()
    controller = Controller(SavingHandler(Path(args.dir)), hostname=args.host, port=args.port)
    controller.start()
    print(f"[mail] SMTP sink on {args.host}:{args.port}, saving to {args.dir}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
