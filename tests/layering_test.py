#!/usr/bin/env python3
"""Checks the include graph of src/ against the layering in ARCHITECTURE.md.

Each layer may include only the layers listed for it (plus itself). A codec under http/codec must
not reach io/ or session/, and nothing below server/ may include server/. Protocol codecs
(http/codec/) are the sessions' alone: handlers (core, iis) and the rest of http/ never include
them, so what a handler sees stays protocol-neutral. Fails with the offending file and line.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": {"base"},
    "http": {"base", "http"},
    "io": {"base", "io"},
    "session": {"base", "http", "io", "session"},
    "core": {"base", "http", "core"},
    "iis": {"base", "http", "iis"},
    "config": {"base", "config"},
    "admin": {"base", "config", "admin"},
    "modules": {"base", "http", "iis", "config", "modules"},
    "server": {"base", "http", "io", "session", "core", "iis", "config", "admin", "modules",
               "server"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
CODEC = re.compile(r'^\s*#\s*include\s+"http/codec/')
# Who may include a protocol codec: the codecs themselves, the sessions that drive them, and the
# server (which configures their limits).
CODEC_USERS = {"session", "server"}

def main(src: pathlib.Path) -> int:
    errors = []
    checked = 0
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        layer = path.relative_to(src).parts[0]
        if layer not in ALLOWED:
            errors.append(f"{path}: layer '{layer}' is not in the layering table")
            continue
        checked += 1
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) in ALLOWED and m.group(1) not in ALLOWED[layer]:
                errors.append(f"{path}:{lineno}: {layer}/ may not include {m.group(1)}/")
            in_codec = path.relative_to(src).parts[:2] == ("http", "codec")
            if CODEC.match(line) and layer not in CODEC_USERS and not in_codec:
                errors.append(f"{path}:{lineno}: only session/ may include a protocol codec")
    for e in errors:
        print(e)
    print(f"layering: {checked} files checked, {len(errors)} violation(s)")
    return 1 if errors or checked == 0 else 0

if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
