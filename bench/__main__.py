"""`python -m bench [--quick] [--kafka] [--repeats N] [--only ...]`: run every benchmark, write the results."""

from bench.harness import main

main()
