"""A certificate's verifiable credential (issue 20): its Open Badges 3.0 / VC 2.0 shape, the
status list's encoding and drawing, the VC-JWT checked with PyJWT (joserfc signed it), and the
verifier's verdicts on what a person may hand it."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import random
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import jwt
import pytest

from builders.sttp import OLD_CONTENT
from diklat import credential_verify as cv
from services.certification import credentials
from services.certification.adapters import vc_jwt
from services.certification.adapters.seals import FileSeals
from services.certification.credentials import CompletionRule, StatusPosition
from services.certification.ports import Certificate

pytestmark = pytest.mark.unit

BASE = "https://sttp.example.go.id"
NIP = "198609262015051001"
RULE = CompletionRule(Decimal("90"), True, Decimal("60.01"))
POSITION = StatusPosition(list_no=1, index=94_567, salt="a1b2c3")
NOW = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)


def certificate(publisher: str = "15") -> Certificate:
    number = "800/0001/BPSDM-15/2022"
    return Certificate(
        id=uuid.uuid4(),
        cohort_code="15/PKA/2022/IV",
        nip=NIP,
        publisher=publisher,
        number=number,
        version=1,
        verification_code="7KQ2-M9XD-RT4H-WP3N-ZB6C",
        status="valid",
        content=OLD_CONTENT
        | {
            "programme_name": "Pelatihan Kepemimpinan Administrator",
            "category": "kepemimpinan_pka",
            "name": "Budi Santoso",
            "nip": NIP,
            "rank": "Penata Tk. I (III/d)",
            "agency": "Pemerintah Kabupaten Muaro Jambi",
            "issue_date": "2022-05-24",
            "number": number,
            "base_number": number,
        },
        issued_at=NOW,
    )


def bits_of(encoded: str) -> bytes:
    """The Recommendation's decoding, written here again: multibase `u`, base64url, GZIP."""
    assert encoded.startswith("u")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


# -- the credential's shape -------------------------------------------------------------------


def test_the_credential_is_an_open_badge_with_the_required_fields_and_no_nip_in_clear():
    held = certificate()
    badge = credentials.open_badge(held, RULE, POSITION, BASE)
    assert badge["@context"] == [credentials.VC_CONTEXT, credentials.OB_CONTEXT]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"urn:uuid:{held.id}"
    assert badge["issuer"] == {
        "id": f"{BASE}/issuers/15",
        "type": ["Profile"],
        "name": "BPSDM Provinsi Jambi",
    }
    assert badge["validFrom"] == "2022-05-24T00:00:00Z"
    assert badge["name"]
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Pelatihan Kepemimpinan Administrator"
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["humanCode"] == "800/0001/BPSDM-15/2022"
    assert achievement["id"].startswith("urn:uuid:") and achievement["description"]
    narrative = achievement["criteria"]["narrative"]
    assert "90% dari 20 JP" in narrative and "60,01" in narrative and "at least 90%" in narrative
    assert achievement["creditsAvailable"] == subject["creditsEarned"] == 20.0
    nip_id, name_id = subject["identifier"]
    assert nip_id["hashed"] is True and nip_id["salt"] == "a1b2c3"
    assert nip_id["identityHash"] == credentials.identity_hash(NIP, "a1b2c3")
    assert name_id == {
        "type": "IdentityObject",
        "identityType": "name",
        "identityHash": "Budi Santoso",
        "hashed": False,
    }
    assert NIP not in json.dumps(badge)
    assert badge["credentialStatus"] == {
        "id": f"{BASE}/status-lists/15/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": f"{BASE}/status-lists/15/1",
    }


def test_the_nip_hash_is_open_badges_sha256_of_value_then_salt():
    import hashlib

    expected = hashlib.sha256(b"198609262015051001" + b"s4lt").hexdigest()
    assert credentials.identity_hash(NIP, "s4lt") == f"sha256${expected}"
    assert credentials.identity_hash(NIP, "other") != credentials.identity_hash(NIP, "s4lt")


def test_the_same_achievement_id_for_every_certificate_of_a_cohort():
    one = credentials.open_badge(certificate(), RULE, POSITION, BASE)
    two = credentials.open_badge(certificate(), RULE, POSITION, BASE)
    assert one["id"] != two["id"]
    assert (
        one["credentialSubject"]["achievement"]["id"]
        == (two["credentialSubject"]["achievement"]["id"])
    )


# -- status lists -----------------------------------------------------------------------------


def test_the_list_holds_131072_bits_index_zero_leftmost():
    bits = bits_of(credentials.encoded_list({0, 9, 131_071}))
    assert len(bits) * 8 == credentials.STATUS_LIST_SIZE == 131_072
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000 and bits[-1] == 0b0000_0001
    assert sum(bin(b).count("1") for b in bits) == 3
    assert credentials.encoded_list(set()) == credentials.encoded_list(set())  # stable


def test_the_status_list_credential_names_its_purpose_and_list():
    listed = credentials.status_list_credential(BASE, "15", 2, {5}, NOW)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == f"{BASE}/status-lists/15/2"
    assert listed["issuer"] == f"{BASE}/issuers/15"
    assert listed["validFrom"] == "2026-12-03T09:00:00Z"
    subject = listed["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    assert bits_of(subject["encodedList"])[0] == 0b0000_0100


def test_positions_are_drawn_at_random_unique_and_a_full_list_starts_the_next():
    rng = random.Random(7)
    drawn = credentials.draw_positions(50, 1, set(), rng)
    indexes = [i for _, i in drawn]
    assert len(set(indexes)) == 50 and {n for n, _ in drawn} == {1}
    assert indexes != sorted(indexes)  # not in issuing order
    # A small list nearly full: the free places are used, then list 4 begins.
    taken = set(range(16)) - {3, 11}
    more = credentials.draw_positions(5, 3, taken, rng, size=16)
    assert sorted(more[:2]) == [(3, 3), (3, 11)]
    assert [n for n, _ in more[2:]] == [4, 4, 4] and len({i for _, i in more[2:]}) == 3


# -- signing, and checking with another library -----------------------------------------------


def keys(tmp_path: Path) -> FileSeals:
    return FileSeals(tmp_path / "seals", issue_missing=True)


def test_the_vc_jwt_verifies_with_pyjwt_and_an_altered_payload_does_not(tmp_path: Path):
    seals = keys(tmp_path)
    badge = credentials.open_badge(certificate(), RULE, POSITION, BASE)
    token = vc_jwt.sign(badge, seals, "15", BASE)
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("ES256", "vc+jwt")
    assert header["kid"] == f"{BASE}/issuers/15#{seals.public_jwk('15')['kid']}"
    public = jwt.PyJWK(seals.public_jwk("15")).key
    assert jwt.decode(token, public, algorithms=["ES256"]) == badge
    head, _, signature = token.split(".")
    forged = dict(badge, name="STTP Pelatihan Lain")
    altered = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{altered}.{signature}", public, algorithms=["ES256"])
    other = jwt.PyJWK(seals.public_jwk("16")).key
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other, algorithms=["ES256"])


# -- the verifier ---------------------------------------------------------------------------


class Issuer:
    """What the service publishes, served from a dict: the profile and the status lists."""

    def __init__(self, tmp_path: Path, revoked: set[int] | None = None) -> None:
        self.seals = keys(tmp_path)
        self.documents: dict[str, bytes] = {}
        self.publish(revoked or set())

    def publish(self, revoked: set[int], bits: int = credentials.STATUS_LIST_SIZE) -> None:
        profile = credentials.issuer_profile(BASE, "15", "BPSDM", [self.seals.public_jwk("15")])
        self.documents[f"{BASE}/issuers/15"] = json.dumps(profile).encode()
        listed = credentials.status_list_credential(BASE, "15", 1, revoked, NOW)
        listed["credentialSubject"]["encodedList"] = credentials.encoded_list(revoked, bits)
        token = vc_jwt.sign(listed, self.seals, "15", BASE)
        self.documents[f"{BASE}/status-lists/15/1"] = token.encode()

    def credential(self) -> str:
        badge = credentials.open_badge(certificate(), RULE, POSITION, BASE)
        return vc_jwt.sign(badge, self.seals, "15", BASE)

    async def fetch(self, url: str) -> bytes:
        if url not in self.documents:
            raise cv.FetchError("HTTP 404")
        return self.documents[url]


async def test_a_signed_credential_not_revoked_is_valid_and_says_what_it_certifies(tmp_path):
    issuer = Issuer(tmp_path)
    result = await cv.verify(issuer.credential(), issuer.fetch)
    assert result.verdict is cv.Verdict.VALID
    assert result.facts["Pemegang / Holder"] == "Budi Santoso"
    assert result.facts["Nomor / Number"] == "800/0001/BPSDM-15/2022"
    assert "BERLAKU" in result.lines()[0] and "VALID" in result.lines()[0]


async def test_its_bit_set_makes_it_revoked(tmp_path):
    issuer = Issuer(tmp_path, revoked={POSITION.index})
    result = await cv.verify(issuer.credential(), issuer.fetch)
    assert result.verdict is cv.Verdict.REVOKED
    assert result.lines()[0].startswith("DICABUT")


async def test_an_unreachable_status_list_is_never_valid(tmp_path):
    issuer = Issuer(tmp_path)
    del issuer.documents[f"{BASE}/status-lists/15/1"]
    result = await cv.verify(issuer.credential(), issuer.fetch)
    assert result.verdict is cv.Verdict.STATUS_UNCHECKED
    text = "\n".join(result.lines())
    assert "status tidak dapat diperiksa" in text.lower()
    assert "status could not be checked" in text.lower()


async def test_a_status_list_signed_by_another_key_or_too_short_is_not_trusted(tmp_path):
    issuer = Issuer(tmp_path)
    impostor = keys(tmp_path / "other")
    listed = credentials.status_list_credential(BASE, "15", 1, set(), NOW)
    forged = vc_jwt.sign(listed, impostor, "15", BASE)
    issuer.documents[f"{BASE}/status-lists/15/1"] = forged.encode()
    result = await cv.verify(issuer.credential(), issuer.fetch)
    assert result.verdict is cv.Verdict.STATUS_UNCHECKED
    issuer.publish(set(), bits=8 * 1024)
    short = await cv.verify(issuer.credential(), issuer.fetch)
    assert short.verdict is cv.Verdict.STATUS_UNCHECKED and "too short" in short.reason


async def test_an_altered_credential_fails_its_signature(tmp_path):
    issuer = Issuer(tmp_path)
    head, _, signature = issuer.credential().split(".")
    badge: dict[str, Any] = credentials.open_badge(certificate(), RULE, POSITION, BASE)
    badge["credentialSubject"]["achievement"]["name"] = "Pelatihan Kepemimpinan Nasional"
    payload = base64.urlsafe_b64encode(json.dumps(badge).encode()).rstrip(b"=").decode()
    result = await cv.verify(f"{head}.{payload}.{signature}", issuer.fetch)
    assert result.verdict is cv.Verdict.SIGNATURE_INVALID
    assert "diubah" in result.lines()[0] and "altered" in result.lines()[0]


async def test_a_credential_signed_by_a_key_the_issuer_does_not_list_is_refused(tmp_path):
    issuer = Issuer(tmp_path)
    impostor = keys(tmp_path / "other")
    badge = credentials.open_badge(certificate(), RULE, POSITION, BASE)
    result = await cv.verify(vc_jwt.sign(badge, impostor, "15", BASE), issuer.fetch)
    assert result.verdict is cv.Verdict.SIGNATURE_INVALID


async def test_an_unreachable_issuer_leaves_the_signature_unchecked(tmp_path):
    issuer = Issuer(tmp_path)
    token = issuer.credential()
    issuer.documents.clear()
    result = await cv.verify(token, issuer.fetch)
    assert result.verdict is cv.Verdict.SIGNATURE_UNCHECKED


@pytest.mark.parametrize("text", ["", "bukan jwt", "%PDF-1.7 ...", "a.b.c"])
async def test_what_is_not_a_jwt_is_said_to_be_unreadable(tmp_path, text):
    result = await cv.verify(text, Issuer(tmp_path).fetch)
    assert result.verdict is cv.Verdict.UNREADABLE
    assert "bukan JWT" in result.reason and "not a JWT" in result.reason


async def test_an_issuer_outside_the_trusted_bases_is_refused(tmp_path):
    issuer = Issuer(tmp_path)
    token = issuer.credential()
    refused = await cv.verify(token, issuer.fetch, trusted=["https://sttp.jambiprov.go.id"])
    assert refused.verdict is cv.Verdict.UNTRUSTED_ISSUER
    assert "Budi" not in "\n".join(refused.lines())  # an unverified claim is not repeated
    trusted = await cv.verify(token, issuer.fetch, trusted=[BASE + "/"])
    assert trusted.verdict is cv.Verdict.VALID


async def test_the_verification_page_address_leads_to_its_credential(tmp_path):
    asked: list[str] = []

    async def fetch(url: str) -> bytes:
        asked.append(url)
        return b"token"

    page = f"{BASE}/verify/7KQ2-M9XD-RT4H-WP3N-ZB6C"
    assert await cv.credential_from(page, fetch) == "token"
    assert await cv.credential_from(page + "/credential", fetch) == "token"
    (tmp_path / "c.jwt").write_text("from a file")
    assert await cv.credential_from(str(tmp_path / "c.jwt"), fetch) == "from a file"
    assert asked == [page + "/credential"] * 2
    with pytest.raises(cv.FetchError, match="no such file"):
        await cv.credential_from(str(tmp_path / "missing.jwt"), fetch)
