"""Builds the demo spreadsheets (demo/) and the template examples (templates/) from the seeds.

Run `python demo/build.py` after changing it; the output is committed and deterministic.
People are invented; their NIPs obey the NIP rules (birth date, TMT after birth, gender digit).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builders.calendar import working_days  # noqa: E402
from builders.nips import make_nip  # noqa: E402
from diklat.publish.sheets import write_csv, write_xlsx  # noqa: E402
from shared.events.rules import AsnType, Gender, validate_nip  # noqa: E402

MEN = "Agus Budi Dedi Eko Fajar Hendra Irwan Joko Rahmat Slamet Teguh Wahyu Yusuf Zainal Ahmad "
MEN += "Bambang Darmawan Gunawan Hasan Indra Kurniawan Mulyadi Nasrul Ridwan Syahrial Taufik"
WOMEN = "Siti Dwi Endang Rina Yuli Ninik Fitri Lestari Nurhayati Ratna Sri Wulan Desi Maya"
FAMILY = "Santoso Saputra Hidayat Siregar Nasution Harahap Pratama Wijaya Kusuma Rahman Syahputra "
FAMILY += "Hutapea Lubis Firmansyah Suryadi Setiawan Gultom Marpaung Sembiring Halim Effendi"
PERIOD = ["Sesi", "Tanggal", "Mulai", "Selesai", "JP", "Metode", "Materi"]
PESERTA = ["Kode Angkatan", "NIP", "Nama", "Jenis ASN", "Jenis Kelamin", "Jabatan"]
PESERTA += ["Pangkat/Golongan", "Instansi", "Kode Daerah"]


@dataclass
class Person:
    nip: str
    name: str
    gender: str
    position: str
    rank: str
    agency: str
    region: str

    def row(self, code: str) -> list[str]:
        return [code, self.nip, self.name, "PNS", self.gender, self.position, self.rank]

    def full(self, code: str) -> list[str]:
        return [*self.row(code), self.agency, self.region]


class People:
    """Deterministic invented ASN with valid, distinct NIPs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def nip(self, woman: bool) -> str:
        while True:
            birth = dt.date(1967, 1, 1) + dt.timedelta(days=self.rng.randrange(18 * 365))
            tmt_year = birth.year + self.rng.randrange(23, 29)
            gender = Gender.P if woman else Gender.L
            tmt = (tmt_year, self.rng.randrange(1, 13))
            nip = make_nip(birth, tmt, gender, seq=self.rng.randrange(1, 400))
            if nip not in self.used and validate_nip(nip, AsnType.PNS, gender) is None:
                self.used.add(nip)
                return nip

    def person(self, woman: bool, position: str, rank: str, agency: str, region: str) -> Person:
        first = self.rng.choice((WOMEN if woman else MEN).split())
        name = f"{first} {self.rng.choice(FAMILY.split())}"
        if self.rng.random() < 0.3:
            name += ", S.STP" if self.rng.random() < 0.5 else ", S.E."
        return Person(self.nip(woman), name, "P" if woman else "L", position, rank, agency, region)


def cohort_form(fields: dict[str, object], sessions: Sequence[Sequence[object]]) -> list[list[str]]:
    rows = [[k, str(v)] for k, v in fields.items()]
    return [*rows, [], PERIOD, *[[str(c) for c in s] for s in sessions]]


def sessions_of(
    days: Sequence[dt.date],
    jp: int,
    hours: tuple[str, str],
    methods: Sequence[str],
    titles: Sequence[str],
) -> list[list[object]]:
    return [
        [
            i,
            d.isoformat(),
            hours[0],
            hours[1],
            jp,
            methods[(i - 1) % len(methods)],
            titles[(i - 1) % len(titles)],
        ]
        for i, d in enumerate(days, start=1)
    ]


def attendance(
    code: str,
    people: Sequence[Person],
    sessions: int,
    marks: dict[int, dict[int, str]],
    rng: random.Random,
) -> list[list[str]]:
    """All H except the given {person index: {session: mark}} and a few harmless T."""
    rows = [["Kode Angkatan", "NIP", "Nama", *[f"Sesi {s}" for s in range(1, sessions + 1)]]]
    for i, p in enumerate(people):
        cells = ["T" if rng.random() < 0.03 else "H" for _ in range(sessions)]
        for s, mark in marks.get(i, {}).items():
            cells[s - 1] = mark
        rows.append([code, p.nip, p.name, *cells])
    return rows


def sumsel(out: Path) -> None:
    """Seed 000: Diklat Peningkatan Kapasitas Camat se-Sumsel, 19–24 June 2023 (Mon–Sat)."""
    code, rng, people = "16/KAPASITAS-CAMAT/2023/I", random.Random(16), People(16)
    kab = {
        "16.01": "Kabupaten Ogan Komering Ulu",
        "16.02": "Kabupaten Ogan Komering Ilir",
        "16.03": "Kabupaten Muara Enim",
        "16.04": "Kabupaten Lahat",
        "16.05": "Kabupaten Musi Rawas",
        "16.06": "Kabupaten Musi Banyuasin",
        "16.07": "Kabupaten Banyuasin",
        "16.10": "Kabupaten Ogan Ilir",
        "16.71": "Kota Palembang",
        "16.72": "Kota Prabumulih",
        "16.74": "Kota Lubuklinggau",
    }
    regions = list(kab)
    group = [
        people.person(
            i % 6 == 5,
            "Camat",
            rng.choice(["III/d", "IV/a"]),
            f"Pemerintah {kab[regions[i % len(regions)]]}",
            regions[i % len(regions)],
        )
        for i in range(30)
    ]
    days = working_days(dt.date(2023, 6, 19), 6, skip_weekend=False)
    form = cohort_form(
        {
            "Kode Angkatan": code,
            "Nama Pelatihan": "Diklat Peningkatan Kapasitas Camat se-Sumsel",
            "Kategori": "teknis",
            "Penyelenggara": "BPSDMD Provinsi Sumatera Selatan",
            "Tahun": 2023,
            "Angkatan": "I",
            "Tempat": "BPSDMD Provinsi Sumatera Selatan, Palembang",
            "Zona Waktu": "WIB",
            "Kuota": 32,
            "Terbuka untuk Daerah Lain": "tidak",
            "Minimal Kehadiran (%)": 90,
            "Wajib Evaluasi": "tidak",
            "Status": "ditutup",
        },
        sessions_of(
            days,
            7,
            ("08:00", "15:30"),
            ["ceramah", "tanya_jawab", "diskusi"],
            [
                "Camat sebagai Centre of Public Service",
                "PP 17/2018 tentang Kecamatan",
                "Koordinasi Kepemerintahan",
                "Analisis Data dan Informasi",
                "Mediasi Masyarakat",
                "Evaluasi dan Rencana Aksi",
            ],
        ),
    )
    roster = [PESERTA] + [p.full(code) for p in group]
    # Trouble: a typing slip in one registration — NIP says man (digit 15 = 1), form says P.
    wrong = people.person(False, "Camat", "III/d", "Pemerintah Kabupaten Lahat", "16.04")
    roster.insert(12, [*wrong.full(code)[:4], "P", *wrong.full(code)[5:]])
    marks = {4: {3: "A"}, 17: {5: "S"}, 9: {2: "T"}}  # one day away is 83% < 90%; late counts
    write_csv(out / "kelas.csv", form)
    _write_semicolon(out / "peserta.csv", roster)
    _write_semicolon(out / "presensi.csv", attendance(code, group, 6, marks, rng))


def _write_semicolon(path: Path, rows: Sequence[Sequence[str]]) -> None:
    # Spreadsheets in an Indonesian locale save CSV with `;`: the reader must take both.
    path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")


def tuban(out: Path) -> None:
    """Seed 001: Diklat Peningkatan Kapasitas Kasi Pemerintahan, BKD Kabupaten Tuban,
    25 Sep – 4 Oct 2017, 8 effective days, 30 participants of whom 7 women."""
    code, rng, people = "35.23/KASI-PEM/2017/I", random.Random(3523), People(3523)
    kecamatan = "Tuban Jenu Merakurak Kerek Montong Singgahan Bangilan Jatirogo Bancar Tambakboyo "
    kecamatan += "Palang Semanding Grabagan Plumpang Widang Rengel Soko Parengan Senori Kenduruan"
    places = kecamatan.split()
    group = [
        people.person(
            i < 7,
            "Kepala Seksi Pemerintahan",
            rng.choice(["III/b", "III/c", "III/d"]),
            f"Kecamatan {places[i % len(places)]}, Kabupaten Tuban",
            "35.23",
        )
        for i in range(30)
    ]
    days = working_days(dt.date(2017, 9, 25), 8)
    methods = ["ceramah", "studi_kasus", "diskusi", "simulasi", "studi_lapangan"]
    form = cohort_form(
        {
            "Kode Angkatan": code,
            "Nama Pelatihan": "Diklat Peningkatan Kapasitas Kasi Pemerintahan",
            "Kategori": "teknis",
            "Penyelenggara": "BKD Kabupaten Tuban",
            "Tahun": 2017,
            "Angkatan": "I",
            "Tempat": "Gedung Korpri Tuban",
            "Zona Waktu": "WIB",
            "Kuota": 30,
            "Terbuka untuk Daerah Lain": "tidak",
            "Minimal Kehadiran (%)": 90,
            "Wajib Evaluasi": "tidak",
            "Status": "ditutup",
        },
        sessions_of(
            days,
            6,
            ("08:00", "14:00"),
            methods,
            [
                "Pendampingan Pemerintahan Desa",
                "Pengelolaan Dana Desa",
                "Studi Kasus",
                "Pendalaman Materi",
                "Simulasi Pelayanan",
                "Studi Lapangan",
                "Diskusi Kelompok",
                "Rencana Tindak Lanjut",
            ],
        ),
    )
    roster = [PESERTA] + [p.full(code) for p in group]
    roster.insert(20, roster[9])  # Trouble: a row pasted twice.
    marks = {11: {2: "A"}, 23: {6: "S", 7: "S"}}  # 87.5% and 75%: both below 90%
    presence = attendance(code, group, 8, marks, rng)
    write_xlsx(
        out / "diklat-kasi-pemerintahan-2017.xlsx",
        [("Kelas", form), ("Peserta", roster), ("Presensi", presence)],
    )
    # Trouble: a correction that arrives after the cohort was closed.
    # Participant 11's ALPA on day 2 becomes H: only the corrected cell is sent.
    header = ["Kode Angkatan", "NIP", "Nama", "Sesi 2"]
    write_csv(out / "koreksi-presensi.csv", [header, [*presence[12][:3], "H"]])


def nasional(out: Path) -> None:
    """Seed 002: Diklat Penguatan Tugas-Tugas Sekretaris Perangkat Daerah, BPSDM Kemendagri,
    Angkatan IV and V, opened 20 June 2022 in Jakarta, participants from 15 provinces."""
    rng, people = random.Random(99), People(99)
    provinces = {
        "11": "Aceh",
        "12": "Sumatera Utara",
        "13": "Sumatera Barat",
        "14": "Riau",
        "17": "Bengkulu",
        "18": "Lampung",
        "19": "Kepulauan Bangka Belitung",
        "32": "Jawa Barat",
        "33": "Jawa Tengah",
        "51": "Bali",
        "52": "Nusa Tenggara Barat",
        "61": "Kalimantan Barat",
        "64": "Kalimantan Timur",
        "73": "Sulawesi Selatan",
        "81": "Maluku",
    }
    posts = [
        "Sekretaris Inspektorat",
        "Sekretaris Dinas Pendidikan",
        "Sekretaris Badan Keuangan",
        "Sekretaris Dinas Kesehatan",
        "Sekretaris Dinas Pekerjaan Umum",
    ]
    days = working_days(dt.date(2022, 6, 20), 5)
    roster: list[list[str]] = [PESERTA]
    for angkatan, drop in (("IV", {7: {3: "A"}}), ("V", {21: {1: "S", 2: "S"}})):
        code = f"nasional/SEKRETARIS-PD/2022/{angkatan}"
        group = []
        for i in range(30):
            region = list(provinces)[i % 15]
            group.append(
                people.person(
                    rng.random() < 0.3,
                    rng.choice(posts),
                    rng.choice(["IV/a", "IV/b"]),
                    f"Pemerintah Provinsi {provinces[region]}",
                    region,
                )
            )
        form = cohort_form(
            {
                "Kode Angkatan": code,
                "Nama Pelatihan": "Diklat Penguatan Tugas-Tugas Sekretaris Perangkat Daerah",
                "Kategori": "manajerial",
                "Penyelenggara": "BPSDM Kementerian Dalam Negeri",
                "Tahun": 2022,
                "Angkatan": angkatan,
                "Tempat": "Hotel Harris Suites Puri Mansion, Jakarta",
                "Zona Waktu": "WIB",
                "Kuota": 30,
                "Terbuka untuk Daerah Lain": "ya",
                "Minimal Kehadiran (%)": 90,
                "Wajib Evaluasi": "tidak",
                "Status": "ditutup",
            },
            sessions_of(
                days,
                8,
                ("08:00", "15:00"),
                ["ceramah", "diskusi", "studi_kasus"],
                [
                    "Kebijakan Urusan Pemerintahan",
                    "Produk Hukum Daerah",
                    "Eksekusi Kebijakan Pemda",
                    "Manajemen SDM Daerah",
                    "Evaluasi Kinerja Perangkat Daerah",
                ],
            ),
        )
        write_csv(out / f"kelas-angkatan-{angkatan.lower()}.csv", form)
        roster += [p.full(code) for p in group]
        presence = attendance(code, group, 5, drop, rng)
        write_csv(out / f"presensi-angkatan-{angkatan.lower()}.csv", presence)
    write_csv(out / "peserta.csv", roster)


def jambi(out: Path) -> None:
    """Seeds 003 and 004: BPSDM Provinsi Jambi — PKA Angkatan IV 2022 (15 Feb – 24 May, with
    evaluation) and the camat management diklat's study visit to Tangerang Selatan, 6–9 Nov 2017
    (Tuesday 7/11 in the seed: 2017, when Muhamad was Sekda of Tangsel)."""
    rng, people = random.Random(15), People(15)
    code = "15/PKA/2022/IV"
    opd = [
        "Dinas Pendidikan",
        "Badan Keuangan Daerah",
        "Dinas Kesehatan",
        "Bappeda",
        "Dinas PUPR",
        "Sekretariat Daerah",
        "Inspektorat",
        "Dinas Sosial",
    ]
    group = [
        people.person(
            rng.random() < 0.35,
            f"Kepala Bidang {opd[i % len(opd)].split()[-1]}",
            rng.choice(["III/d", "IV/a"]),
            f"{opd[i % len(opd)]} Provinsi Jambi",
            "15",
        )
        for i in range(30)
    ]
    days = working_days(dt.date(2022, 2, 15), 15, step=7)  # weekly classroom days, Tuesdays
    form = cohort_form(
        {
            "Kode Angkatan": code,
            "Nama Pelatihan": "Pelatihan Kepemimpinan Administrator",
            "Kategori": "kepemimpinan_pka",
            "Penyelenggara": "BPSDM Provinsi Jambi",
            "Tahun": 2022,
            "Angkatan": "IV",
            "Tempat": "Aula BPSDM Provinsi Jambi",
            "Zona Waktu": "WIB",
            "Kuota": 30,
            "Terbuka untuk Daerah Lain": "tidak",
            "Minimal Kehadiran (%)": 90,
            "Wajib Evaluasi": "ya",
            "Nilai Lulus": "60,01",
            "Status": "ditutup",
        },
        sessions_of(
            days,
            8,
            ("08:00", "15:00"),
            ["ceramah", "diskusi", "studi_kasus", "simulasi", "e_learning"],
            [
                "Kepemimpinan Pancasila",
                "Wawasan Kebangsaan",
                "Kepemimpinan Perubahan",
                "Inovasi Sektor Publik",
                "Aksi Perubahan",
            ],
        ),
    )
    write_csv(out / "pka-kelas.csv", form)
    write_csv(out / "pka-peserta.csv", [PESERTA] + [p.full(code) for p in group])
    write_csv(
        out / "pka-presensi.csv", attendance(code, group, 15, {5: {4: "A", 9: "S"}}, rng)
    )  # 86.7%
    scores = [["Kode Angkatan", "NIP", "Nama", "Nilai"]]
    for i, p in enumerate(group):
        score = "58,50" if i == 19 else f"{rng.randrange(7000, 9600) / 100:.2f}".replace(".", ",")
        scores.append([code, p.nip, p.name, score])
    write_csv(out / "pka-evaluasi.csv", scores)

    code = "15/MANAJEMEN-KEC/2017/I"
    kab = {
        "15.01": "Kerinci",
        "15.02": "Merangin",
        "15.03": "Sarolangun",
        "15.04": "Batang Hari",
        "15.05": "Muaro Jambi",
        "15.06": "Tanjung Jabung Timur",
        "15.07": "Tanjung Jabung Barat",
        "15.08": "Tebo",
        "15.09": "Bungo",
    }
    regions = list(kab)
    group = [
        people.person(
            i % 10 == 3,
            "Camat",
            rng.choice(["III/d", "IV/a"]),
            f"Pemerintah Kabupaten {kab[regions[i % 9]]}",
            regions[i % 9],
        )
        for i in range(30)
    ]
    days = working_days(dt.date(2017, 11, 6), 4)
    form = cohort_form(
        {
            "Kode Angkatan": code,
            "Nama Pelatihan": "Diklat Manajemen Pemerintahan Kecamatan",
            "Kategori": "manajerial",
            "Penyelenggara": "BPSDM Provinsi Jambi",
            "Tahun": 2017,
            "Angkatan": "I",
            "Tempat": "Kota Tangerang Selatan (kunjungan lapangan)",
            "Zona Waktu": "WIB",
            "Kuota": 30,
            "Terbuka untuk Daerah Lain": "tidak",
            "Minimal Kehadiran (%)": 90,
            "Wajib Evaluasi": "tidak",
            "Status": "ditutup",
        },
        sessions_of(
            days,
            8,
            ("08:00", "15:00"),
            ["studi_lapangan"],
            [
                "Balai Kota Tangerang Selatan",
                "Kecamatan Setu",
                "Kecamatan Serpong Utara",
                "Kecamatan Pamulang",
            ],
        ),
    )
    write_csv(out / "camat-kelas.csv", form)
    write_csv(out / "camat-peserta.csv", [PESERTA] + [p.full(code) for p in group])
    write_csv(out / "camat-presensi.csv", attendance(code, group, 4, {26: {3: "S"}}, rng))


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
