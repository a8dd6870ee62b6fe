"""Batch conversion of archives: a resumable job with one SQLite database and exports.

`job.run_batch` walks the inputs (archive), hands each document to a worker (pool or dask_exec) that
runs `task` — the only module here that calls the extractors and the normaliser — and records the
results in the store, from which writers build the exports and crossyear the cross-year check.
"""
