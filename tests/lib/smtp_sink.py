#!/usr/bin/python3
"""smtp_sink.py — a real SMTP server on 127.0.0.1 that keeps what it accepts.

Debian's aiosmtpd (python3-aiosmtpd; run with /usr/bin/python3).  Every
accepted message is written to DIR as NNNNNN.eml (written to a temporary
name and renamed, so a reader never sees half a message), exactly the bytes
received.  When it listens it prints one line to stdout:

    smtp-sink: listening on 127.0.0.1:PORT

and it runs until SIGTERM or SIGINT.  Fault switches, for the tests:

  --refuse-rcpt REGEX   RCPT TO an address matching REGEX: 550 5.1.1
  --tempfail-rcpt REGEX the first --tempfail N DATA of messages to an
                        address matching REGEX: 451 4.3.0 (then accepted)
  --tempfail N          how many (default 1)
  --auth USER:PASSWORD  AUTH required (PLAIN/LOGIN) with these
  --tls-cert FILE --tls-key FILE  offer STARTTLS with this certificate
  --port N              listen on N (default: a free port)

Used by the e-mail tests (tests/api/mail.test.mjs, tests/multi/), the
benchmark (bench/mail.mjs) and `paminn demo` (scripts/ or --smtp-sink).
"""
import argparse
import asyncio
import os
import re
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, refuse, tempfail_re, tempfail_n):
        self.dir = directory
        self.refuse = re.compile(refuse) if refuse else None
        self.tempfail = re.compile(tempfail_re) if tempfail_re else None
        self.tempfail_left = tempfail_n
        self.seq = 0
        self.lock = threading.Lock()
        existing = [f for f in os.listdir(directory) if f.endswith('.eml')]
        self.seq = len(existing)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse.search(address):
            return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % address
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 Ok'

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail and any(self.tempfail.search(a) for a in envelope.rcpt_tos):
            with self.lock:
                fail = self.tempfail_left > 0
                self.tempfail_left -= 1 if fail else 0
            if fail:
                return '451 4.3.0 Temporary failure, please try again later'
        with self.lock:
            self.seq += 1
            n = self.seq
        name = os.path.join(self.dir, '%06d.eml' % n)
        tmp = name + '.tmp'
        with open(tmp, 'wb') as f:
            f.write(envelope.content)
        os.rename(tmp, name)
        return '250 2.0.0 Ok: queued as %06d' % n


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dir', required=True)
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--refuse-rcpt')
    p.add_argument('--tempfail-rcpt')
    p.add_argument('--tempfail', type=int, default=1)
    p.add_argument('--auth')
    p.add_argument('--tls-cert')
    p.add_argument('--tls-key')
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    handler = Sink(a.dir, a.refuse_rcpt, a.tempfail_rcpt, a.tempfail)
    kwargs = {'data_size_limit': 64 * 1024 * 1024}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kwargs['tls_context'] = ctx
    if a.auth:
        user, password = a.auth.split(':', 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user \
                and data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    port = a.port or free_port()
    controller = Controller(handler, hostname='127.0.0.1', port=port,
                            server_hostname='sink.localhost', **kwargs)
    controller.start()
    print('smtp-sink: listening on 127.0.0.1:%d' % port, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
