"""The upload form read in memory: files arrive byte for byte (an XLSX workbook and arbitrary
binary content), the name without the browser's path, an empty file input and other fields'
files left out; a urlencoded post gives its fields; anything else is an empty form. And the
page's view of a plan: problems split into file, sheet, row and column, in the files' order."""

from __future__ import annotations

import os

import httpx
import pytest

from services.consolidation.entrypoints.dashboard.upload_form import parse_form
from services.consolidation.entrypoints.dashboard.upload_view import problem_rows, where_of
from shared.publishing.templates import Location, Problem
from tests.consolidation.upload_support import TEMPLATES

pytestmark = pytest.mark.unit


def encoded(data: dict[str, str], files: list[tuple[str, tuple[str, bytes, str]]]) -> tuple:
    request = httpx.Request("POST", "http://t/", data=data, files=files)
    return request.headers["content-type"], request.read()


def test_files_arrive_byte_for_byte_with_their_names_only():
    workbook = (TEMPLATES / "contoh-diklat.xlsx").read_bytes()
    noise = os.urandom(50_000) + b"\r\n--\r\n\n\r"
    files = [
        ("berkas", ("C:\\Users\\op\\contoh-diklat.xlsx", workbook, "application/octet-stream")),
        ("berkas", ("acak.csv", noise, "text/csv")),
        ("berkas", ("", b"", "application/octet-stream")),
        ("lain", ("lain.csv", b"x", "text/csv")),
    ]
    form = parse_form(*encoded({"token": "abc", "publisher": "15"}, files))
    assert form.fields == {"token": "abc", "publisher": "15"}
    assert form.files == [("contoh-diklat.xlsx", workbook), ("acak.csv", noise)]


def test_a_urlencoded_post_gives_fields_and_anything_else_nothing():
    form = parse_form("application/x-www-form-urlencoded", b"token=abc&publisher=15")
    assert (form.fields, form.files) == ({"token": "abc", "publisher": "15"}, [])
    crowded = "&".join(f"f{i}=1" for i in range(50)).encode()
    assert parse_form("application/x-www-form-urlencoded", crowded).fields == {}
    assert parse_form("application/json", b'{"token": "abc"}').fields == {}
    assert parse_form("multipart/form-data; boundary=x", b"not multipart").files == []


def test_problems_are_split_by_file_and_sheet_in_the_order_the_files_were_chosen():
    files = ["kelas.csv", "diklat [2024].xlsx"]
    problems = [
        Problem(Location("diklat [2024].xlsx [Peserta]", 3, "B (NIP)"), "NIP salah"),
        Problem(Location("kelas.csv", 0), "berkas kosong"),
    ]
    rows = problem_rows(problems, files)
    assert [(r.where.file, r.where.sheet, r.where.row, r.where.column) for r in rows] == [
        ("kelas.csv", "", 0, ""),
        ("diklat [2024].xlsx", "Peserta", 3, "B (NIP)"),
    ]
    assert where_of(Location("diklat [2024].xlsx", 0), files).sheet == ""
