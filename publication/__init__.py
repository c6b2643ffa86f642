"""What reads a run's publication (never the working database): the reader, the report, status and docs."""
