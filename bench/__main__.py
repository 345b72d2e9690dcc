"""`python -m bench [--full] [--kafka] [--repeats N]`: run every benchmark, write the results."""

from bench.harness import main

main()
