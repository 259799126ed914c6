#!/usr/bin/env python3
"""git merge driver for gettext catalogues: union of both sides' entries.

Set up once per clone (see CONTRIBUTING.md):
    git config merge.pomerge.driver ".venv/bin/python scripts/po_merge.py %O %A %B"
    git config merge.keepours.driver true
Writes the result to %A. An entry translated on one side only keeps that translation; where
both sides translated the same msgid differently, "theirs" (%B, the branch merged in) wins
only if ours is empty or fuzzy.
"""

import sys

import polib


def key(e):
    return (e.msgctxt or "", e.msgid, e.msgid_plural or "")


def translated(e):
    if e.msgid_plural:
        return any(v for v in e.msgstr_plural.values()) and "fuzzy" not in e.flags
    return bool(e.msgstr) and "fuzzy" not in e.flags


def main():
    _base, ours_path, theirs_path = sys.argv[1:4]
    ours = polib.pofile(ours_path, wrapwidth=79)
    theirs = polib.pofile(theirs_path, wrapwidth=79)
    index = {key(e): e for e in ours}
    for e in theirs:
        if e.obsolete:
            continue
        mine = index.get(key(e))
        if mine is None:
            ours.append(e)
            index[key(e)] = e
        elif not translated(mine) and translated(e):
            mine.msgstr = e.msgstr
            mine.msgstr_plural = e.msgstr_plural
            mine.flags = [f for f in mine.flags if f != "fuzzy"]
    ours.save(ours_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
