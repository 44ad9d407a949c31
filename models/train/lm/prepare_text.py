"""Exports Jane Austen's six novels from Debian's r-cran-janeaustenr, normalizes them and splits
them into training, validation and evaluation text (see README.md in this folder and
models/data/text/README.md).

    /usr/bin/python3 models/train/lm/prepare_text.py [--out DIR] [--check]

Writes DIR/train.txt and DIR/valid.txt (DIR defaults to $BITWEAVE_LM_TEXT or
/tmp/bitweave-lm-text; not committed) and models/data/text/austen-eval.txt (committed).
With --check, writes nothing and fails unless the committed evaluation file is byte-identical
to what the package produces. Deterministic: the same package version gives the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EVAL_PATH = REPO / 'models' / 'data' / 'text' / 'austen-eval.txt'
DEFAULT_OUT = Path(os.environ.get('BITWEAVE_LM_TEXT', '/tmp/bitweave-lm-text'))

# The package's six character vectors, in the package's (publication-table) order.
BOOKS = ['sensesensibility', 'prideprejudice', 'mansfieldpark', 'emma', 'northangerabbey',
         'persuasion']
EVAL_BOOK = 'persuasion'
# Validation: the tail of each training novel from the first line start at or after this
# fraction of its normalized length.
VALID_FRACTION = 0.95

# The normalized alphabet: '\n' and printable ASCII 0x20..0x7e. Characters outside it are
# mapped: '\t' -> ' ', '\u00a3' (pound sign, once in Mansfield Park: "her \u00a320,000") -> 'L'
# (the abbreviation the other Austen texts use), anything else -> '?'.
CHAR_MAP = {'\t': ' ', '\u00a3': 'L'}
REPLACEMENT = '?'

R_EXPORT = r'''
library(janeaustenr)
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
for (n in strsplit(args[2], ",")[[1]]) {
  x <- get(n, envir = asNamespace("janeaustenr"))
  con <- file(file.path(out, paste0(n, ".txt")), "wb")
  writeLines(enc2utf8(x), con, sep = "\n", useBytes = TRUE)
  close(con)
}
cat(as.character(packageVersion("janeaustenr")))
'''


def export_raw(folder: Path) -> str:
    """Writes folder/<book>.txt (the package's lines, each ending in '\\n', UTF-8); returns the
    package version."""
    res = subprocess.run(['Rscript', '--vanilla', '-e', R_EXPORT, str(folder), ','.join(BOOKS)],
                         check=True, capture_output=True, text=True)
    return res.stdout.strip()


def normalize(text: str) -> tuple[str, dict[str, int]]:
    """Keeps '\\n' and printable ASCII, maps the rest (CHAR_MAP, else REPLACEMENT); returns the
    text and how many of each non-kept character were mapped."""
    out = []
    mapped: dict[str, int] = {}
    for ch in text:
        if ch == '\n' or ' ' <= ch <= '~':
            out.append(ch)
        else:
            out.append(CHAR_MAP.get(ch, REPLACEMENT))
            mapped[ch] = mapped.get(ch, 0) + 1
    return ''.join(out), mapped


def split_valid(text: str) -> tuple[str, str]:
    """(head, tail): the tail starts at the first line start at or after VALID_FRACTION."""
    cut = int(len(text) * VALID_FRACTION)
    while cut < len(text) and text[cut - 1] != '\n':
        cut += 1
    return text[:cut], text[cut:]


def build() -> tuple[dict[str, str], str, dict[str, int]]:
    """{'train','valid','eval'} texts, the package version, the mapped-character counts."""
    with tempfile.TemporaryDirectory(prefix='bitweave-austen-') as tmp:
        version = export_raw(Path(tmp))
        raw = {b: (Path(tmp) / f'{b}.txt').read_bytes().decode('utf-8') for b in BOOKS}
    train, valid = [], []
    mapped_all: dict[str, int] = {}
    texts: dict[str, str] = {}
    for b in BOOKS:
        norm, mapped = normalize(raw[b])
        for ch, n in mapped.items():
            mapped_all[ch] = mapped_all.get(ch, 0) + n
        if b == EVAL_BOOK:
            texts['eval'] = norm
        else:
            head, tail = split_valid(norm)
            train.append(head)
            valid.append(tail)
    texts['train'] = ''.join(train)
    texts['valid'] = ''.join(valid)
    return texts, version, mapped_all


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_bytes(data)
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', type=Path, default=DEFAULT_OUT,
                    help='folder for train.txt and valid.txt (default %(default)s)')
    ap.add_argument('--check', action='store_true',
                    help='write nothing; fail unless the committed evaluation file matches')
    args = ap.parse_args()
    texts, version, mapped = build()
    data = {k: v.encode('ascii') for k, v in texts.items()}
    for k in ('train', 'valid', 'eval'):
        print(f'{k}: {len(data[k])} bytes, sha256 {hashlib.sha256(data[k]).hexdigest()}')
    print(f'janeaustenr {version}; mapped characters: '
          + ', '.join(f'U+{ord(c):04X} x{n}' for c, n in sorted(mapped.items())))
    if args.check:
        if not EVAL_PATH.exists() or EVAL_PATH.read_bytes() != data['eval']:
            print(f'{EVAL_PATH}: differs from the package export', file=sys.stderr)
            sys.exit(1)
        print(f'{EVAL_PATH}: identical')
        return
    write_atomic(args.out / 'train.txt', data['train'])
    write_atomic(args.out / 'valid.txt', data['valid'])
    write_atomic(EVAL_PATH, data['eval'])
    print(f'wrote {args.out}/train.txt, {args.out}/valid.txt, {EVAL_PATH}')


if __name__ == '__main__':
    main()
