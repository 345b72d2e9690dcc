"""The template examples (templates/): a small filled-in course in every sheet."""

from __future__ import annotations

from pathlib import Path

from demo.sheets import PESERTA, People, cohort_form
from shared.publishing.sheets import write_csv, write_xlsx


def templates(out: Path) -> None:
    """A small filled-in example of each template, as CSV files and as one XLSX workbook."""
    code, people = "35.23/BIMTEK-SIASN/2024/I", People(7)
    group = [
        people.person(i == 1, "Analis SDM Aparatur", "III/b", "BKD Kabupaten Tuban", "35.23")
        for i in range(3)
    ]
    form = cohort_form(
        {
            "Kode Angkatan": code,
            "Nama Pelatihan": "Bimtek Pemutakhiran Data SIASN",
            "Kategori": "bimtek",
            "Penyelenggara": "BKD Kabupaten Tuban",
            "Tahun": 2024,
            "Angkatan": "I",
            "Tempat": "Gedung Korpri Tuban",
            "Zona Waktu": "WIB",
            "Kuota": 30,
            "Terbuka untuk Daerah Lain": "tidak",
            "Minimal Kehadiran (%)": 90,
            "Wajib Evaluasi": "ya",
            "Nilai Lulus": "60,01",
            "Status": "ditutup",
            "Tanggal Penutupan / Close date": "2024-03-05",
            "Tempat Terbit": "Tuban",
            "Nama Penandatangan": "Drs. Bambang Sutrisno, M.Si.",
            "NIP Penandatangan": "197205141998031007",
            "Jabatan Penandatangan": "Kepala BKD Kabupaten Tuban",
        },
        [
            [1, "2024-03-04", "08:00", "12:00", 5, "ceramah", "Kebijakan SIASN"],
            [2, "2024-03-05", "08:00", "12:00", 5, "simulasi", "Praktik Pemutakhiran Data"],
        ],
    )
    roster = [PESERTA] + [p.full(code) for p in group]
    presence = [["Kode Angkatan", "NIP", "Nama", "Sesi 1", "Sesi 2"]]
    presence += [[code, p.nip, p.name, "H", m] for p, m in zip(group, "HTA", strict=True)]
    scores = [["Kode Angkatan", "NIP", "Nama", "Nilai"]]
    scores += [[code, p.nip, p.name, s] for p, s in zip(group, ["88,5", "92", "75"], strict=True)]
    sheets = [("Kelas", form), ("Peserta", roster), ("Presensi", presence), ("Evaluasi", scores)]
    for title, rows in sheets:
        write_csv(out / f"{title.lower()}.csv", rows)
    write_xlsx(out / "contoh-diklat.xlsx", sheets)


def roster_templates(out: Path, people: People | None = None) -> None:
    """The roster (daftar ASN) in our headings, and the same people as a SIASN export has them
    (no Kode Daerah, no Sejak: `diklat publish` fills both in and warns)."""
    people = people or People(11)
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
