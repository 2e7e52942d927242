"""A raw HTTP/2 client for the defence tests: frames written byte by byte (what a hostile client
sends), HPACK as literals and indexed references only (no Huffman), frames read back whole.
The server side is nghttp2; this is only the test's half."""

import socket
import struct
import time

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
            if f.type == HEADERS and status is None:
                status = decode_status(f.payload)
            if f.type == DATA:
                body += f.payload
        return status, body, frames


def decode_status(block):
    """The :status of a response HEADERS block (nghttp2 sends it first: an indexed static entry
    8-14, or a literal with the static name 8)."""
    b = block[0]
    static = {8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500}
    if b & 0x80:
        return static.get(b & 0x7F)
    # Literal with an indexed name (:status is static entry 8): 0x48 (indexing) or 0x08/0x18.
    if b & 0x40:
        pos = 1
    else:
        pos = 1
    length = block[pos] & 0x7F
    huffman = block[pos] & 0x80
    raw = block[pos + 1:pos + 1 + length]
    if huffman:
        return int(huffman_decode_digits(raw))
    return int(raw)


def huffman_decode_digits(data):
    """Huffman decoding of a string of digits (RFC 7541 Appendix B): '0'-'2' are 5 bits
    (0x0-0x2), '3'-'9' are 6 bits (0x19-0x1f)."""
    codes = {(0x0, 5): "0", (0x1, 5): "1", (0x2, 5): "2", (0x19, 6): "3", (0x1a, 6): "4",
             (0x1b, 6): "5", (0x1c, 6): "6", (0x1d, 6): "7", (0x1e, 6): "8", (0x1f, 6): "9"}
    bits = "".join(format(b, "08b") for b in data)
    out = ""
    i = 0
    while i < len(bits):
        for width in (5, 6):
            if i + width <= len(bits) and (int(bits[i:i + width], 2), width) in codes:
                out += codes[(int(bits[i:i + width], 2), width)]
                i += width
                break
        else:
            break  # padding (all ones)
    return out
