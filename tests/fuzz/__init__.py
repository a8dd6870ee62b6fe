"""Fuzzing nianbao: mutated samples of every format, hostile containers, huge and deep inputs.

`generators` builds the special inputs (zip bombs, entity attacks, page-tree loops, deep nesting,
huge tables, a ~100 MB PDF); `cases` mutates the samples with a seeded RNG; `runner` converts each
case in its own `nianbao convert` subprocess under a timeout and classifies the outcome;
`run_fuzz.py` is the `make fuzz` entry point.
"""
