"""Security profiles 1–3 against a real `pilegate serve`, with independent clients: the
PyPI `ocpp` charge points (1.6 and 2.0.1) over `websockets` with Python's ssl, and
`openssl s_client`. Certificates come from `pilegate certs`, as a user makes them.

Every wait is bounded; the gateway and its files are removed afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import ssl
import subprocess
import tempfile
import urllib.request
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16, call as call16, call_result as result16
from ocpp.v16.enums import ConfigurationStatus, RegistrationStatus
from ocpp.v201 import ChargePoint as ChargePoint201, call as call201, call_result as result201

from conftest import running, start_gateway, wait_until

TIMEOUT = 30.0
PASSWORD = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "security-interop-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def secure(pilegate_bin):
    """A gateway with a plain and a TLS listener and piles at each profile."""
    workdir = Path(tempfile.mkdtemp(prefix="pilegate-security-"))
    try:
        piles = ["CP16-MTLS", "CP201-MTLS", "CP-OTHER"]
        made = subprocess.run(
            [pilegate_bin, "certs", "--out", "pki", *sum([["--pile", p] for p in piles], [])],
            cwd=workdir, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        expired = subprocess.run(
            [pilegate_bin, "certs", "--out", "pki", "--pile", "CP-EXPIRED", "--expired"], cwd=workdir, capture_output=True, text=True, timeout=60)
        assert expired.returncode == 0, expired.stderr
        # A CA the gateway does not know, with a certificate for a registered pile.
        stranger = subprocess.run(
            [pilegate_bin, "certs", "--out", "stranger", "--pile", "CP16-MTLS"], cwd=workdir, capture_output=True, text=True, timeout=60)
        assert stranger.returncode == 0, stranger.stderr
        tls_port = free_port()
        config = f"""\
api:
  token: {TOKEN}
security:
  passwordHashCost: 12
  ca: {{certificate: pki/ca.pem, key: pki/ca-key.pem}}
  tls:
    port: {tls_port}
    certificate: pki/server.pem
    key: pki/server-key.pem
    clientCA: pki/ca.pem
chargePoints:
  - {{id: CP16-P1, password: "{PASSWORD}"}}
  - {{id: CP16-P2, password: "{PASSWORD}", securityProfile: 2}}
  - {{id: CP201-P2, password: "{PASSWORD}", securityProfile: 2}}
  - {{id: CP16-MTLS, securityProfile: 3}}
  - {{id: CP201-MTLS, securityProfile: 3}}
  - {{id: CP-EXPIRED, securityProfile: 3}}
  - {{id: CP16-ROT, password: "{PASSWORD}"}}
  - {{id: CP201-CSR, password: "{PASSWORD}", securityProfile: 2}}
  - {{id: CP16-CSR, password: "{PASSWORD}", securityProfile: 2}}
"""
        gw = start_gateway(pilegate_bin, workdir, config)
        gw.tls_port = tls_port
        try:
            yield gw
        finally:
            gw.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def tls_context(gw, pile: str | None = None, pki: str = "pki", trust: str = "pki") -> ssl.SSLContext:
    """Trusts `trust`'s CA; presents `pile`'s certificate from `pki`, if any."""
    context = ssl.create_default_context(cafile=str(gw.workdir / trust / "ca.pem"))
    if pile:
        context.load_cert_chain(str(gw.workdir / pki / "piles" / f"{pile}.pem"), str(gw.workdir / pki / "piles" / f"{pile}-key.pem"))
    return context


def basic(identity: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{identity}:{password}".encode()).decode()}


def url(gw, identity: str, tls: bool) -> str:
    return f"wss://localhost:{gw.tls_port}/ocpp/{identity}" if tls else f"ws://127.0.0.1:{gw.port}/ocpp/{identity}"


async def connect(gw, identity, tls, subprotocol="ocpp1.6", pile_cert=None, password=None, pki="pki", trust="pki"):
    return await websockets.connect(
        url(gw, identity, tls), subprotocols=[subprotocol], open_timeout=10, close_timeout=2,
        ssl=tls_context(gw, pile_cert, pki, trust) if tls else None, additional_headers=basic(identity, password) if password else {})


async def refused_status(gw, identity, tls, **kwargs):
    """The HTTP status the handshake was refused with; 0 when TLS itself failed."""
    try:
        ws = await connect(gw, identity, tls, **kwargs)
    except websockets.exceptions.InvalidStatus as error:
        return error.response.status_code
    except (ssl.SSLError, ConnectionResetError, websockets.exceptions.InvalidMessage, EOFError):
        return 0
    await ws.close()
    return None


class Pile16(ChargePoint16):
    """The `ocpp` 1.6 charge point; it keeps AuthorizationKey as a real pile does."""
    authorization_key: str | None = None

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value, **kwargs):
        if key == "AuthorizationKey":
            self.authorization_key = value
        return result16.ChangeConfiguration(status=ConfigurationStatus.accepted)


@asynccontextmanager
async def pile16(gw, identity, tls, **kwargs):
    ws = await connect(gw, identity, tls, **kwargs)
    cp = Pile16(identity, ws, response_timeout=10)
    async with running(cp, ws):
        yield cp


async def boot16(cp):
    response = await cp.call(call16.BootNotification(charge_point_vendor="PyOCPP", charge_point_model="TLS"), suppress=False)
    assert response.status == RegistrationStatus.accepted


def run(scenario):
    asyncio.run(asyncio.wait_for(scenario, timeout=TIMEOUT))


def test_v16_pile_boots_over_wss_with_basic_auth_and_is_refused_without_it(secure):
    async def scenario():
        async with pile16(secure, "CP16-P2", True, password=PASSWORD) as cp:
            await boot16(cp)
        assert await refused_status(secure, "CP16-P2", True, password="wrong-password-0000") == 401
        assert await refused_status(secure, "CP16-P2", True) == 401
        # Profile 2 over plain ws is a downgrade.
        assert await refused_status(secure, "CP16-P2", False, password=PASSWORD) == 403
    run(scenario())
    log = secure.stderr_path.read_text()
    assert "login refused (401)" in log and "chargePoint=CP16-P2" in log
    assert "wrong-password-0000" not in log and PASSWORD not in log, "a password reached the log"


def test_v201_pile_boots_over_wss_with_basic_auth(secure):
    async def scenario():
        ws = await connect(secure, "CP201-P2", True, subprotocol="ocpp2.0.1", password=PASSWORD)
        cp = ChargePoint201("CP201-P2", ws, response_timeout=10)
        async with running(cp, ws):
            response = await cp.call(
                call201.BootNotification(charging_station={"model": "TLS", "vendor_name": "PyOCPP"}, reason="PowerUp"), suppress=False)
            assert response.status == "Accepted"
    run(scenario())


def test_mutual_tls_takes_the_piles_own_certificate_in_both_versions(secure):
    async def scenario():
        async with pile16(secure, "CP16-MTLS", True, pile_cert="CP16-MTLS") as cp:
            await boot16(cp)
        ws = await connect(secure, "CP201-MTLS", True, subprotocol="ocpp2.0.1", pile_cert="CP201-MTLS")
        cp = ChargePoint201("CP201-MTLS", ws, response_timeout=10)
        async with running(cp, ws):
            response = await cp.call(
                call201.BootNotification(charging_station={"model": "TLS", "vendor_name": "PyOCPP"}, reason="PowerUp"), suppress=False)
            assert response.status == "Accepted"
        # Another pile's certificate, none at all, an expired one, or plain ws: out.
        assert await refused_status(secure, "CP16-MTLS", True, pile_cert="CP-OTHER") == 403
        assert await refused_status(secure, "CP16-MTLS", True) == 403
        assert await refused_status(secure, "CP16-MTLS", False) == 403
        assert await refused_status(secure, "CP-EXPIRED", True, pile_cert="CP-EXPIRED") == 0
    run(scenario())
    # The gateway logs a failed TLS handshake after its alert is on the wire, so the client
    # can see the failure before the line is written: wait for it (bounded).
    def log_with_tls_failure():
        text = secure.stderr_path.read_text()
        return text if "TLS handshake from" in text else None
    log = wait_until(log_with_tls_failure, timeout=5, what="the failed TLS handshake in the gateway's log")
    assert 'the client certificate is issued to "CP-OTHER", not CP16-MTLS' in log


def test_another_ca_on_either_side_is_out(secure):
    async def scenario():
        # The pile's certificate is from a CA the gateway does not trust: the TLS handshake fails.
        assert await refused_status(secure, "CP16-MTLS", True, pile_cert="CP16-MTLS", pki="stranger") == 0
        # The pile trusts another CA than the one that signed the gateway: it refuses the gateway.
        assert await refused_status(secure, "CP16-P2", True, password=PASSWORD, trust="stranger") == 0
    run(scenario())


def test_password_rotation_over_change_configuration(secure):
    new_password = "fedcba9876543210fedcba9876543210fedcba98"

    async def scenario():
        async with pile16(secure, "CP16-ROT", False, password=PASSWORD) as cp:
            await boot16(cp)
            request = urllib.request.Request(
                f"http://127.0.0.1:{secure.port}/api/chargepoints/CP16-ROT/security/rotate-password", method="POST",
                data=json.dumps({"password": new_password}).encode(), headers={"Authorization": f"Bearer {TOKEN}"})
            answer = json.loads(await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=10).read()))
            assert answer["status"] == "Accepted" and answer["applied"] is True
            assert cp.authorization_key == new_password
        async with pile16(secure, "CP16-ROT", False, password=new_password) as cp:
            await boot16(cp)
        assert await refused_status(secure, "CP16-ROT", False, password=PASSWORD) == 401
    run(scenario())
    frames = urllib.request.urlopen(f"http://127.0.0.1:{secure.port}/api/chargepoints/CP16-ROT/messages?limit=200", timeout=10).read().decode()
    assert new_password not in frames and "(redacted)" in frames


def openssl(secure, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{secure.tls_port}", "-CAfile", str(secure.workdir / "pki" / "ca.pem"), *args],
        input="", capture_output=True, text=True, timeout=20)


def test_openssl_sees_tls12_with_an_ocpp_cipher_suite_and_no_older_tls(secure):
    tls12 = openssl(secure, "-tls1_2")
    assert "Verify return code: 0 (ok)" in tls12.stdout, tls12.stdout + tls12.stderr
    assert "ECDHE-ECDSA-AES128-GCM-SHA256" in tls12.stdout or "ECDHE-ECDSA-AES256-GCM-SHA384" in tls12.stdout, tls12.stdout
    # A suite outside the OCPP list is not offered.
    chacha = openssl(secure, "-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305")
    assert chacha.returncode != 0 or "Cipher is (NONE)" in chacha.stdout, chacha.stdout
    older = openssl(secure, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert older.returncode != 0 or "Cipher is (NONE)" in older.stdout, older.stdout


def make_csr(workdir: Path, common_name: str) -> tuple[str, Path]:
    """A P-256 key and a CSR for it, made by openssl (independent of PileGate)."""
    key = workdir / f"{common_name}-own-key.pem"
    made = subprocess.run(
        ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/O=Test CPO/CN={common_name}",
         "-keyout", str(key)], capture_output=True, text=True, timeout=20)
    assert made.returncode == 0, made.stderr
    return made.stdout, key


class CatchesCertificate:
    """Keeps the first CertificateSigned chain in `signed`."""
    signed: asyncio.Future | None = None

    def caught(self, chain: str) -> None:
        if self.signed and not self.signed.done():
            self.signed.set_result(chain)


class Station201(CatchesCertificate, ChargePoint201):
    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain, **kwargs):
        self.caught(certificate_chain)
        return result201.CertificateSigned(status="Accepted")


class Pile16Signed(CatchesCertificate, Pile16):
    @on("CertificateSigned")
    async def on_certificate_signed(self, certificate_chain, **kwargs):
        self.caught(certificate_chain)
        return result16.CertificateSigned(status="Accepted")


def test_a_pile_gets_its_certificate_over_ocpp_and_then_logs_in_with_it(secure):
    """2.0.1 A02 and the 1.6 security extension: SignCertificate → Accepted → CertificateSigned;
    the chain verifies against the CA, and the pile then logs in at profile 3 with it."""
    async def scenario():
        for identity, version in (("CP201-CSR", "2.0.1"), ("CP16-CSR", "1.6")):
            csr, key = make_csr(secure.workdir, identity)
            ws = await connect(secure, identity, True, subprotocol="ocpp2.0.1" if version == "2.0.1" else "ocpp1.6", password=PASSWORD)
            cp = Station201(identity, ws, response_timeout=10) if version == "2.0.1" else Pile16Signed(identity, ws, response_timeout=10)
            cp.signed = asyncio.get_running_loop().create_future()
            async with running(cp, ws):
                if version == "2.0.1":
                    answer = await cp.call(call201.SignCertificate(csr=csr, certificate_type="ChargingStationCertificate"), suppress=False)
                else:
                    answer = await cp.call(call16.SignCertificate(csr=csr), suppress=False)
                assert answer.status == "Accepted"
                chain = await asyncio.wait_for(cp.signed, 10)
                # A CSR naming another identity is refused.
                other, _ = make_csr(secure.workdir, "SOMEONE-ELSE")
                refused = await (cp.call(call201.SignCertificate(csr=other), suppress=False) if version == "2.0.1"
                                 else cp.call(call16.SignCertificate(csr=other), suppress=False))
                assert refused.status == "Rejected"
            certificate = secure.workdir / f"{identity}-signed.pem"
            certificate.write_text(chain)
            verified = subprocess.run(["openssl", "verify", "-CAfile", str(secure.workdir / "pki" / "ca.pem"), str(certificate)],
                                      capture_output=True, text=True, timeout=20)
            assert verified.returncode == 0, verified.stdout + verified.stderr
            subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", str(certificate)], capture_output=True, text=True, timeout=20)
            assert f"CN = {identity}" in subject.stdout or f"CN={identity}" in subject.stdout, subject.stdout
            context = ssl.create_default_context(cafile=str(secure.workdir / "pki" / "ca.pem"))
            context.load_cert_chain(str(certificate), str(key))
            ws = await websockets.connect(url(secure, identity, True), subprotocols=["ocpp1.6"], ssl=context, open_timeout=10,
                                          additional_headers=basic(identity, PASSWORD))
            await ws.close()
    run(scenario())
