"""The seed articles as spreadsheets: Sumsel, Tuban, the national cohorts and Jambi.

People are invented; their NIPs obey the NIP rules (birth date, TMT after birth, gender digit).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from builders.calendar import working_days
from demo.sheets import PESERTA, People, attendance, cohort_form, sessions_of, write_semicolon
from shared.publishing.sheets import write_csv, write_xlsx


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
    write_semicolon(out / "peserta.csv", roster)
    write_semicolon(out / "presensi.csv", attendance(code, group, 6, marks, rng))


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
