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
from demo.template_example import templates  # noqa: E402


def roster_templates(out: Path, people: People) -> None:
    """The roster (daftar ASN) in our headings, and the same people as a SIASN export has them
    (no Kode Daerah, no Sejak: `diklat publish` fills both in and warns)."""
    unit = "Bidang Pengembangan Kompetensi"
    rows = [
        (people.person(False, "Analis SDM Aparatur", "Penata Muda Tk. I, III/b", "", ""), ""),
        (people.person(True, "Pranata Komputer", "Penata, III/c", "", ""), "Tugas Belajar"),
        (people.person(False, "Kepala Bidang", "Pembina, IV/a", "", ""), "Aktif"),
    ]
    agency = "Pemerintah Kabupaten Tuban"
    ours = [["NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Instansi", "Unit Kerja"]]
    ours[0] += ["Kode Daerah", "Jabatan", "Pangkat/Golongan", "Status", "Sejak"]
    since = {"Tugas Belajar": "2024-08-01"}
    for p, status in rows:
        ours.append([p.nip, p.name, "PNS", p.gender, agency, unit, "35.23", p.position, p.rank])
        ours[-1] += [status or "Aktif", since.get(status, "")]
    siasn = [["NIP BARU", "NAMA", "JENIS KELAMIN", "JENIS PEGAWAI NAMA", "INSTANSI INDUK NAMA"]]
    siasn[0] += ["INSTANSI KERJA NAMA", "UNOR NAMA", "JABATAN NAMA", "GOL AKHIR NAMA"]
    siasn[0] += ["KEDUDUKAN HUKUM NAMA"]
    for p, status in rows:
        gender = "Wanita" if p.gender == "P" else "Pria"
        siasn.append([p.nip, p.name, gender, "PNS Daerah", agency, agency, unit, p.position])
        siasn[-1] += [p.rank, status or "Aktif"]
    folder = out / "daftar-asn"
    folder.mkdir(exist_ok=True)
    write_csv(folder / "daftar-asn.csv", ours)
    write_csv(folder / "ekspor-siasn.csv", siasn)
    write_xlsx(folder / "daftar-asn.xlsx", [("Daftar ASN", ours)])


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
    roster_templates(ROOT / "templates", People(11))


if __name__ == "__main__":
    main()
