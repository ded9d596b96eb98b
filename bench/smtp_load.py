#!/usr/bin/python3
"""smtp_load.py — the direct load of bench/mail.mjs: send N copies of one
message file to an SMTP server over one connection (smtplib), as fast as
the server takes them; prints "sent N in S seconds".

    /usr/bin/python3 bench/smtp_load.py HOST PORT N MESSAGE_FILE
"""
import smtplib
import sys
import time

host, port, n, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = open(path, 'rb').read()
s = smtplib.SMTP(host, port)
s.ehlo('load.localhost')
t0 = time.monotonic()
for i in range(n):
    s.sendmail('load@example.se', ['kund%d@example.se' % (i % 20)], data)
t = time.monotonic() - t0
s.quit()
print('sent %d in %.3f seconds' % (n, t))
