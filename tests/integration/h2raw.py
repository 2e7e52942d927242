"""A raw HTTP/2 client for the defence tests: frames written byte by byte (what a hostile client
sends), HPACK as literals and indexed references only (no Huffman), frames read back whole.
The server's header blocks are decoded with python3-hpack (its dynamic table followed across
the connection, so a status sent twice is found again). The server side is nghttp2; this is
only the test's half."""

import socket
import struct
import time

import hpack

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, \
    CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM = 0xB


def hpack_int(value, prefix_bits, first_byte=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append((value % 128) + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def literal(name, value, index=False):
    """A literal field with a new name, without indexing (or with incremental indexing)."""
    if isinstance(name, str):
        name = name.encode()
    if isinstance(value, str):
        value = value.encode()
    first = 0x40 if index else 0x00
    return (bytes([first]) + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value)


def indexed(index):
    return hpack_int(index, 7, 0x80)


def request_block(path="/", method="GET", authority="localhost", scheme="http", extra=()):
    block = b""
    for n, v in ((":method", method), (":scheme", scheme), (":path", path),
                 (":authority", authority)):
        if v is not None:
            block += literal(n, v)
    for n, v in extra:
        block += literal(n, v)
    return block


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream & 0x7FFFFFFF) + payload


def settings(**values):
    ids = {"header_table_size": 1, "enable_push": 2, "max_concurrent_streams": 3,
           "initial_window_size": 4, "max_frame_size": 5, "max_header_list_size": 6}
    payload = b"".join(struct.pack(">HI", ids[k], v) for k, v in values.items())
    return frame(SETTINGS, 0, 0, payload)


class Frame:
    def __init__(self, ftype, flags, stream, payload):
        self.type, self.flags, self.stream, self.payload = ftype, flags, stream, payload
        self.headers = None  # decoded fields, on the frame that ends a header block

    def goaway_code(self):
        return struct.unpack(">I", self.payload[4:8])[0] if self.type == GOAWAY else None

    def rst_code(self):
        return struct.unpack(">I", self.payload[:4])[0] if self.type == RST_STREAM else None

    def settings(self):
        return {struct.unpack(">H", self.payload[i:i + 2])[0]:
                struct.unpack(">I", self.payload[i + 2:i + 6])[0]
                for i in range(0, len(self.payload), 6)}

    def __repr__(self):
        return "Frame(type=%d flags=%#x stream=%d len=%d)" % (self.type, self.flags, self.stream,
                                                               len(self.payload))


class H2Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10, initial=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.closed = False
        self.decoder = hpack.Decoder()
        self.block = b""  # a header block still waiting for its CONTINUATION frames
        self.sock.sendall(PREFACE + (initial if initial is not None else settings()))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True
            return False

    def read_frame(self, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.buf) < 9 or len(self.buf) < 9 + int.from_bytes(self.buf[:3], "big"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no frame within %.1fs" % timeout)
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buf += chunk
        n = int.from_bytes(self.buf[:3], "big")
        f = Frame(self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF,
                  self.buf[9:9 + n])
        self.buf = self.buf[9 + n:]
        if f.type in (HEADERS, CONTINUATION):
            # Every block is decoded in order: HPACK's dynamic table spans the connection.
            self.block += f.payload
            if f.flags & END_HEADERS:
                f.headers = self.decoder.decode(self.block)
                self.block = b""
        if f.type == SETTINGS and not (f.flags & ACK):
            self.send(frame(SETTINGS, ACK, 0))
        return f

    def frames_until(self, pred, timeout=10):
        """Frames read until pred(frame) is true (included) or the connection closes."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.01, deadline - time.monotonic()))
            if f is None:
                return out
            out.append(f)
            if pred(f):
                return out

    def goaway(self, timeout=10):
        """The GOAWAY frame the server sends (None if it closed without one)."""
        for f in self.frames_until(lambda f: f.type == GOAWAY, timeout):
            if f.type == GOAWAY:
                return f
        return None

    def response(self, stream, timeout=10):
        """(status, body, frames) of one stream, read until it ends or is reset."""
        frames = self.frames_until(
            lambda f: f.stream == stream and (f.flags & END_STREAM and f.type in (DATA, HEADERS)
                                              or f.type == RST_STREAM), timeout)
        status = None
        body = b""
        for f in frames:
            if f.stream != stream:
                continue
            if f.headers is not None and status is None:
                status = status_of(f)
            if f.type == DATA:
                body += f.payload
        return status, body, frames


def status_of(f):
    """The :status of the response whose header block f ends (None for another frame)."""
    if f.headers is None:
        return None
    for name, value in f.headers:
        if name == ":status":
            return int(value)
    return None
