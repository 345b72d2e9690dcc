"""Builders of valid events and data, shared by the tests, the benchmarks and the demo seeds.

- `calendar`: working days.
- `nips`: NIPs laid out as real ones (valid, or broken on purpose).
- `ingest`: a publisher's `data` (cohort, participant, withdrawal, mark) and its CloudEvent.
- `domain`: the services' domain events, and sending them as their service publishes them.
- `sttp`: a certificate's content as the PDF renderer takes it.
"""
