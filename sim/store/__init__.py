"""Storage: the only reader and writer of files (Parquet logs, run and comparison directories)."""
