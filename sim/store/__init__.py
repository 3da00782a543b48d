"""Storage: the only reader and writer of files (Parquet logs, run, comparison and demo directories).

:mod:`~sim.store.files` (atomic writes, JSON), :mod:`~sim.store.parquet` (the log and tables),
:mod:`~sim.store.runs` (run directories), :mod:`~sim.store.comparisons` (comparison and demo directories),
:mod:`~sim.store.directories` (all-or-nothing output directories, one writer at a time),
:mod:`~sim.store.outputs` (directory kinds, the first free name).
"""
