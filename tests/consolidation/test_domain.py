"""Pure rules of the national view: cohort phase, coverage and scope, completion and
compliance rates, the SIASN mapping, the rebuild's refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.consolidation import domain

pytestmark = pytest.mark.unit
D = dt.date


def test_phase_is_running_from_the_first_day_until_closed():
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 5)) == "scheduled"
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 6)) == "running"
    assert domain.phase("scheduled", D(2024, 5, 6), D(2024, 5, 7), D(2024, 6, 1)) == "running"
    assert domain.phase("closed", D(2024, 5, 6), D(2024, 5, 7), D(2024, 6, 1)) == "closed"


def test_publisher_covers_its_own_area_only():
    assert domain.covers("nasional", "91.01")
    assert domain.covers("35", "35.23") and not domain.covers("35", "15.71")
    assert domain.covers("35.23", "35.23") and not domain.covers("35.23", "35.24")


def test_twenty_jp_is_the_minimum_inclusive():
    assert domain.meets_minimum(Decimal(20)) and not domain.meets_minimum(Decimal("19.5"))


def test_completion_rate_counts_decided_participants_only():
    assert domain.completion_rate(0, 0) is None
    assert domain.completion_rate(4, 2) == 66.7


def test_siasn_jenis_diklat_maps_leadership_to_struktural_and_bimtek_to_8():
    assert domain.siasn_jenis_diklat("kepemimpinan_pka") == 1
    assert domain.siasn_jenis_diklat("bimtek") == 8
    assert domain.siasn_jenis_diklat("seminar") == 9


def test_national_organiser_has_no_province():
    assert domain.organizer_province("nasional") is None
    assert domain.organizer_province("35.23") == "35"


def test_a_claims_weight_follows_who_registered_and_which_region_it_names():
    assert domain.claim_authority("35.23", "35.23") == 3  # the region's own publisher
    assert domain.claim_authority("15", "15") == 3  # a province's own ASN
    assert domain.claim_authority("nasional", "35.23") == 2  # no region of its own to favour
    assert domain.claim_authority("15", "15.71") == 1  # a province over its kota
    assert domain.claim_authority("15", "35.23") == 0  # another region's publisher
    assert domain.claim_authority("15.71", "15") == 0  # a kota does not speak for its province


def test_siasn_row_keys_by_nip_with_dd_mm_yyyy_dates_and_the_organisers_province():
    training = {
        "nip": "198501012010011001",
        "category": "kepemimpinan_pkp",
        "programme_name": "PKP",
        "certificate_number": None,
        "total_jp": Decimal("40.5"),
        "start_date": D(2024, 5, 6),
        "end_date": D(2024, 6, 1),
        "organizer": "BPSDM Jatim",
        "organizer_province": "35",
    }
    row = domain.siasn_riwayat_kursus(training)
    assert list(row) == list(domain.SIASN_COLUMNS)
    assert row["jenisDiklatId"] == 1 and row["jumlahJam"] == 40.5
    assert (row["tanggalKursus"], row["tanggalSelesaiKursus"]) == ("06-05-2024", "01-06-2024")
    assert row["tahunKursus"] == 2024 and row["nomorSertipikat"] == ""
    national = domain.siasn_riwayat_kursus({**training, "organizer_province": None})
    assert national["lokasiId"] == ""


def test_compliance_rate_is_none_without_asn():
    assert domain.compliance_rate(0, 0) is None
    assert domain.compliance_rate(2, 3) == 66.7


def test_national_credential_sees_everything_a_publisher_its_own():
    assert domain.Scope.of(None) == domain.EVERYTHING
    tuban, jatim, nasional = (domain.Scope.of(p) for p in ("35.23", "35", "nasional"))
    assert tuban.covers("35.23") and not tuban.covers("35.24")
    assert jatim.covers("35.24") and not jatim.covers("15.71")
    assert nasional.area is None and nasional.covers("91.01")


def test_a_publisher_sees_its_own_organiser_province_and_province_row():
    tuban, nasional = domain.Scope.of("35.23"), domain.Scope.of("nasional")
    assert tuban.sees_organiser_province("35") and not tuban.sees_organiser_province("15")
    assert nasional.sees_organiser_province("nasional")
    assert not nasional.sees_organiser_province("35")
    assert tuban.sees_province_row("35") and not tuban.sees_province_row("nasional")
    assert nasional.sees_province_row("35") and domain.EVERYTHING.sees_province_row("15")


def test_rebuild_is_refused_when_a_log_lost_its_first_records():
    domain.require_whole_logs([("t", 0, 0), ("t", 1, 0)])
    with pytest.raises(domain.RebuildRefused) as refused:
        domain.require_whole_logs([("t", 1, 7), ("t", 0, 0)])
    assert "topik t partisi 1 dimulai di offset 7" in str(refused.value)
    assert "topic t partition 1 starts at offset 7" in str(refused.value)


def test_rebuild_is_refused_when_a_table_comes_out_smaller_naming_only_it():
    domain.require_no_fewer_rows([("cohorts", 3, 3), ("asn", 4, 2)])
    with pytest.raises(domain.RebuildRefused) as refused:
        domain.require_no_fewer_rows([("cohorts", 3, 3), ("certificates", 1, 2)])
    message = str(refused.value)
    assert "certificates: 1 rows rebuilt, 2 live" in message and "cohorts" not in message
