"""Every sentence `diklat publish` says about a spreadsheet or its environment, Indonesian first
and the English after it in brackets, with the expected form and an example. Validation errors
of the contract's models are explained by `shared.events.explain` with the spreadsheet's own
forms of the values below; no library text reaches the organiser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic_core import ErrorDetails

from shared.events.explain import CONTRACT_FORMATS, Expected, explain, field_of
from shared.events.rules import AsnType, Gender, NipDefect, validate_nip
from shared.publishing.values import NoSuchDate

_SHEET_DATE = Expected(
    "tanggal",
    "the date",
    "TTTT-BB-HH atau HH/BB/TTTT, mis. 2024-02-29",
    "YYYY-MM-DD or DD/MM/YYYY, e.g. 2024-02-29",
)
_SHEET_TIME = Expected(
    "jam", "the time", "JJ:MM atau JJ.MM, mis. 08:00", "HH:MM or HH.MM, e.g. 08:00"
)
_YES_NO = ("ya atau tidak", "ya or tidak")
_PERCENT = ("angka 0 sampai 100, mis. 90", "a number from 0 to 100, e.g. 90")
# The spreadsheet's forms where they differ from the contract's JSON.
SHEET_FORMATS: Final[Mapping[str, Expected]] = {
    **CONTRACT_FORMATS,
    "date": _SHEET_DATE,
    "status_since": _SHEET_DATE,
    "start": _SHEET_TIME,
    "end": _SHEET_TIME,
    "jp": Expected(
        "JP",
        "JP",
        "angka lebih dari 0 sampai 12 dengan paling banyak 2 desimal, mis. 4 atau 2,5",
        "a number above 0 up to 12 with at most 2 decimals, e.g. 4 or 2,5",
    ),
    "score": Expected(
        "nilai",
        "the score",
        "angka 0 sampai 100 dengan paling banyak 2 desimal, mis. 85,5",
        "a number from 0 to 100 with at most 2 decimals, e.g. 85,5",
    ),
    "min_attendance_pct": Expected("minimal kehadiran (%)", "the minimum attendance", *_PERCENT),
    "pass_score": Expected("nilai lulus", "the pass score", *_PERCENT),
    "timezone": Expected("zona waktu", "the time zone", "WIB, WITA atau WIT", "WIB, WITA or WIT"),
    "gender": Expected(
        "jenis kelamin", "the gender", "L atau P, mis. L", "L (male) or P (female), e.g. L"
    ),
    "evaluation_required": Expected("wajib evaluasi", "evaluation required", *_YES_NO),
    "open_to_other_regions": Expected(
        "terbuka untuk daerah lain", "open to other regions", *_YES_NO
    ),
}


def both(indonesian: str, english: str) -> str:
    return f"{indonesian} ({english})"


def cell_error(error: ErrorDetails) -> str:
    """A validation error of one cell, in the spreadsheet's terms; a NIP of the wrong length or
    with other characters says how many digits it has (the NIP rules' own words)."""
    said_id, said_en = explain(error, SHEET_FORMATS)
    value = error.get("input")
    if field_of(tuple(error["loc"])) == "nip" and isinstance(value, str) and value:
        shape = validate_nip(value, AsnType.PNS, Gender.L)
        if shape is not None and shape.defect in (NipDefect.LENGTH, NipDefect.NOT_DIGITS):
            example = "198503122010011003"
            return both(
                f"{shape.message_id}, mis. {example}", f"{shape.message_en}, e.g. {example}"
            )
    return both(said_id, said_en)


def impossible_date(found: NoSuchDate) -> str:
    swapped = found.month > 12 and found.day <= 12
    hint_id = "; tampaknya bulan dan hari tertukar (format Amerika BB/HH/TTTT)" if swapped else ""
    hint_en = "; month and day look swapped (the American MM/DD/YYYY)" if swapped else ""
    return both(
        f"tanggal {found.text} tidak ada di kalender{hint_id}; tanggal harus "
        f"{_SHEET_DATE.format_id}",
        f"there is no date {found.text}{hint_en}; a date must be {_SHEET_DATE.format_en}",
    )


def not_utf8() -> str:
    return both(
        "berkas CSV bukan UTF-8 (huruf seperti ’ atau é tidak terbaca): di Excel pilih "
        "Simpan Sebagai → 'CSV UTF-8 (Dipisahkan koma)' lalu kirim ulang",
        "the CSV file is not UTF-8 (letters such as ’ or é cannot be read): in Excel choose "
        "Save As → 'CSV UTF-8 (Comma delimited)' and send it again",
    )


def empty_file() -> str:
    return both(
        "berkas kosong: isi baris judul dan datanya sesuai templat",
        "the file is empty: fill in the heading row and the data as the template shows",
    )


def no_data_rows() -> str:
    return both("lembar hanya berisi judul, tanpa data", "the sheet has headings but no data")


def nothing_to_send() -> str:
    return both(
        "tidak ada event untuk dikirim: berkas tidak berisi data", "nothing to send: no data"
    )


def unreadable(kind: str) -> str:
    texts = {
        "missing": ("berkas tidak ditemukan", "file not found"),
        "denied": ("berkas tidak boleh dibaca (izin akses)", "the file may not be read"),
        "directory": ("ini folder, bukan berkas", "this is a folder, not a file"),
        "suffix": (
            "hanya berkas .csv dan .xlsx yang dibaca; simpan sebagai 'Buku Kerja Excel (.xlsx)' "
            "atau 'CSV UTF-8'",
            "only .csv and .xlsx files are read; save as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'",
        ),
        "xlsx": (
            "berkas .xlsx rusak atau bukan buku kerja Excel: buka lalu simpan ulang di Excel",
            "the .xlsx file is damaged or not an Excel workbook: open it and save it again",
        ),
    }
    return both(*texts[kind])


def display(heading: str) -> str:
    """A lower-case template heading as the template writes it."""
    special = {"nip": "NIP", "jp": "JP", "asn": "ASN", "(%)": "(%)"}
    return " ".join(special.get(word, word.capitalize()) for word in heading.split())


def missing_column(heading: str) -> str:
    return both(
        f"kolom '{display(heading)}' tidak ada: tambahkan judul '{display(heading)}' di baris 1",
        f"the column '{display(heading)}' is missing: add the heading in row 1",
    )


def missing_field(heading: str) -> str:
    return both(
        f"isian '{display(heading)}' tidak ada: tambahkan baris dengan '{display(heading)}' di "
        "kolom A dan isinya di kolom B",
        f"the field '{display(heading)}' is missing: add a row with it in column A and its "
        "value in column B",
    )


def unknown_field(label: str) -> str:
    return both(
        f"isian '{label}' tidak dikenal; lihat templates/README.md untuk isian lembar Kelas",
        f"unknown field '{label}'; templates/README.md lists the Kelas sheet's fields",
    )


def empty_heading() -> str:
    return both(
        "judul kolom kosong padahal ada data di bawahnya; bila sel judul digabung (merge), "
        "pisahkan lalu isi judul tiap kolom",
        "the column has data but no heading; if heading cells are merged, unmerge them and "
        "give each column its heading",
    )


def unknown_sheet() -> str:
    return both(
        "lembar tidak dikenali: baris 1 harus berisi judul kolom templat, mis. 'Kode Angkatan, "
        "NIP, Nama, ...' (lihat templates/README.md)",
        "not a template sheet: row 1 must hold the template's headings (templates/README.md)",
    )


def no_session_table() -> str:
    return both(
        "tabel sesi tidak ada: di bawah isian kelas tambahkan baris judul 'Sesi, Tanggal, Mulai, "
        "Selesai, JP' dan satu baris per sesi",
        "no session table: below the cohort's fields add the heading row 'Sesi, Tanggal, "
        "Mulai, Selesai, JP' and one row per session",
    )


def year_mismatch(year: int, first: str, last: str) -> str:
    span = first if first == last else f"{first} s.d. {last}"
    return both(
        f"Tahun {year} tidak sesuai tanggal sesi ({span}): isi tahun pelaksanaan, mis. {first[:4]}",
        f"the year {year} does not match the sessions' dates ({first} to {last}): write the "
        f"year they take place, e.g. {first[:4]}",
    )


def bad_mark(mark: str) -> str:
    return both(
        f"'{mark}' bukan kode presensi: isi H (hadir), T (terlambat), I (izin), S (sakit) atau "
        "A (alpa), atau kosongkan",
        f"'{mark}' is not an attendance mark: write H, T, I, S or A, or leave it empty",
    )


def bad_status(status: str) -> str:
    return both(
        f"status '{status}' tidak dikenal: isi terjadwal, berjalan, ditutup atau dibatalkan",
        f"unknown status '{status}': write terjadwal, berjalan, ditutup or dibatalkan",
    )


def unknown_session(session_no: int, code: str) -> str:
    return both(
        f"sesi {session_no} tidak ada di jadwal {code}", f"session {session_no} is not in {code}"
    )


def not_registered(code: str) -> str:
    return both(
        f"NIP tidak ada di daftar peserta {code}: daftarkan dulu di lembar Peserta",
        f"the NIP is not registered in {code}: register it on the Peserta sheet first",
    )


def same_as_row(row: int) -> str:
    return both(
        f"sama persis dengan baris {row}: akan dijawab duplicate",
        f"the same as row {row}: it will be answered duplicate",
    )


def broker_unreachable(servers: str) -> str:
    return both(
        f"broker Kafka di {servers} tidak terjangkau: jalankan `diklat stack up` (lokal), atau "
        "setel KAFKA_BOOTSTRAP_SERVERS ke alamat broker Anda",
        f"the Kafka broker at {servers} cannot be reached: run `diklat stack up` (local), or "
        "set KAFKA_BOOTSTRAP_SERVERS to your broker's address",
    )


def broker_refused(servers: str) -> str:
    return both(
        f"broker Kafka di {servers} menolak permintaan: periksa KAFKA_SECURITY_PROTOCOL dan "
        "KAFKA_SASL_* (pengguna, sandi) serta hak akses penerbit",
        f"the Kafka broker at {servers} refused the request: check KAFKA_SECURITY_PROTOCOL and "
        "KAFKA_SASL_* (user, password) and the publisher's access rights",
    )


def not_onboarded(publisher: str, topics: list[str]) -> str:
    return both(
        f"penerbit {publisher} belum didaftarkan (topik {', '.join(topics)} tidak ada): jalankan "
        f'`diklat publishers add {publisher} --name "..."`',
        f"publisher {publisher} is not onboarded (no topic {', '.join(topics)}): run "
        f'`diklat publishers add {publisher} --name "..."`',
    )


def not_a_publisher(publisher: str) -> str:
    return both(
        f"'{publisher}' bukan kode penerbit: isi nasional, kode provinsi (mis. 15) atau "
        "kabupaten/kota (mis. 35.23)",
        f"'{publisher}' is not a publisher id: nasional, a province (e.g. 15) or a "
        "kabupaten/kota code (e.g. 35.23)",
    )


def lost_broker(sent: int, total: int) -> str:
    return both(
        f"hubungan ke broker putus setelah {sent} dari {total} event: kirim ulang berkas yang "
        "sama (yang sudah diterima dijawab duplicate)",
        f"the broker connection was lost after {sent} of {total} events: send the same files "
        "again (those already received are answered duplicate)",
    )


def unexpected() -> str:
    return both(
        "kesalahan tak terduga; jalankan ulang dengan --debug dan kirim keluarannya ke pengelola",
        "an unexpected error; run again with --debug and send the output to the maintainers",
    )


def bad_since(text: str) -> str:
    return both(
        f"waktu '{text}' tidak terbaca: tulis TTTT-BB-HH atau TTTT-BB-HHTJJ:MM, mis. 2024-03-04",
        f"the time '{text}' cannot be read: write YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-03-04",
    )
