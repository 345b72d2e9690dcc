"""Credentials secured as VC-JWT (W3C VC-JOSE-COSE): the credential itself is the payload of a
compact JWS, ES256 with the publisher's credential key, `typ` vc+jwt and `kid` the URL of the
key in the issuer's profile. joserfc signs; verifiers use any other JOSE library."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey

from services.certification import credentials
from services.certification.ports import CredentialKeys

ALGORITHM = "ES256"
TYP = "vc+jwt"


def sign(credential: Mapping[str, Any], keys: CredentialKeys, publisher: str, base_url: str) -> str:
    """The credential as a compact JWS signed by the publisher's key."""
    private = keys.private_jwk(publisher)
    header = {
        "alg": ALGORITHM,
        "typ": TYP,
        "kid": credentials.key_url(base_url, publisher, str(private["kid"])),
    }
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, ECKey.import_key(private), [ALGORITHM])
