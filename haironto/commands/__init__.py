"""Groups of ``haironto`` subcommands kept out of :mod:`haironto.cli` so that it stays small."""
