"""`python -m bench [--quick] [--kafka] [--repeats N] [--only ...]`: run the benchmarks."""

from bench.harness import main

main()
