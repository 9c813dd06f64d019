#!/usr/bin/env python3
"""A small HTTP/1.1 server to check bench/http_load against known answers.

Keep-alive, and on purpose every framing the generator must parse: most
answers carry Content-Length, every 10th is chunked (with a chunk extension
and a trailer), every 25th asks to close the connection. Each answer waits
--delay-ms first; --stall-at-s / --stall-ms freeze every answer for a while
once, as a server pause (a GC, a checkpoint) would, to show that latencies
are counted from the scheduled time and not from when the request left.

Prints "PORT <n>" when listening (--port 0 picks one), then serves until
killed or --lifetime-s passes, so a failed test never leaves it behind.
"""
import argparse
import asyncio
import sys
import time


class Server:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.start = None

    async def pause(self):
        now = time.monotonic()
        if self.start is None:
            self.start = now
        a = self.args
        if a.stall_ms > 0:
            begin = self.start + a.stall_at_s
            end = begin + a.stall_ms / 1000
            if begin <= now < end:
                await asyncio.sleep(end - now)
                return
        if a.delay_ms > 0:
            await asyncio.sleep(a.delay_ms / 1000)

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length:
                    await reader.readexactly(length)
                self.count += 1
                n = self.count
                await self.pause()
                body = b'{"ok":true,"n":%d}' % n
                if n % 10 == 3:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Transfer-Encoding: chunked\r\n\r\n"
                                 + b"%x;ext=1\r\n" % 5 + body[:5] + b"\r\n"
                                 + b"%x\r\n" % (len(body) - 5) + body[5:] + b"\r\n"
                                 + b"0\r\nX-Trailer: yes\r\n\r\n")
                elif n % 25 == 7:
                    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
                    await writer.drain()
                    break
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0)
    ap.add_argument("--stall-at-s", type=float, default=0)
    ap.add_argument("--stall-ms", type=float, default=0)
    ap.add_argument("--lifetime-s", type=float, default=60)
    args = ap.parse_args()
    s = Server(args)
    server = await asyncio.start_server(s.handle, "127.0.0.1", args.port, backlog=1024)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await asyncio.sleep(args.lifetime_s)
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
