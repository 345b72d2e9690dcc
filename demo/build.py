"""Builds the demo spreadsheets (demo/) and the template examples (templates/) from the seeds.

Run `python demo/build.py` after changing it; the output is committed and deterministic.
People are invented; their NIPs obey the NIP rules (birth date, TMT after birth, gender digit).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.seeds import jambi, nasional, sumsel, tuban  # noqa: E402
from demo.template_example import roster_templates, templates  # noqa: E402


def main() -> None:
    for folder, build in (
        ("16-sumsel", sumsel),
        ("35.23-tuban", tuban),
        ("nasional", nasional),
        ("15-jambi", jambi),
    ):
        target = ROOT / "demo" / folder
        target.mkdir(parents=True, exist_ok=True)
        build(target)
    templates(ROOT / "templates")
    roster_templates(ROOT / "templates")


if __name__ == "__main__":
    main()
