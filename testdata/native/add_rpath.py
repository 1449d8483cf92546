"""Appends a RUNTIME_PATH subsection (type 5) to a side module's dylink.0
section, as emcc does for -Wl,-rpath (wasm-ld itself has no -rpath).

usage: add_rpath.py FILE.so PATH...
"""
import sys


def uleb(v):
    out = bytearray()
    while True:
        c = v & 0x7F
        v >>= 7
        out.append(c | (0x80 if v else 0))
        if not v:
            return bytes(out)


def read_uleb(b, p):
    v = shift = 0
    while True:
        c = b[p]
        p += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, p


def main(path, rpaths):
    b = open(path, "rb").read()
    assert b[:8] == b"\0asm\1\0\0\0" and b[8] == 0, "dylink.0 must be the first section"
    size, p = read_uleb(b, 9)
    end = p + size
    name_len, q = read_uleb(b, p)
    assert b[q:q + name_len] == b"dylink.0"
    body = b[q + name_len:end]
    strs = uleb(len(rpaths)) + b"".join(uleb(len(r.encode())) + r.encode() for r in rpaths)
    body += b"\x05" + uleb(len(strs)) + strs
    content = uleb(len(b"dylink.0")) + b"dylink.0" + body
    open(path, "wb").write(b[:8] + b"\x00" + uleb(len(content)) + content + b[end:])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
