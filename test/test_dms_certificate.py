"""DmsCertificate: a CA imported into DMS from PEM text (AWS::DMS::Certificate), for endpoints that verify their server."""
import pathlib

import pytest

from harness import new_stack, only_resource, synth
from safe_constructs import DmsCertificate

# RDS's regional bundle as a user downloads it, played by a test CA (tests reach no network)
BUNDLE = (pathlib.Path(__file__).parent / "fixtures" / "stand-in-ca.pem").read_text()


def test_the_certificate_is_made_from_the_pem_and_named_by_cloudformation():
    stack = new_stack()
    certificate = DmsCertificate(stack, "RdsCa", certificate_pem=BUNDLE + BUNDLE)  # a bundle: several blocks
    resource = only_resource(synth(stack), "AWS::DMS::Certificate")
    # no CertificateIdentifier: a new bundle replaces the certificate (CertificatePem is create-only), and a
    # fixed name would collide with the old one during the replacement
    assert resource["Properties"] == {"CertificatePem": BUNDLE + BUNDLE}
    assert stack.resolve(certificate.certificate_arn) == {"Ref": stack.get_logical_id(certificate.resource)}


def test_fails_with_a_private_key_which_would_be_written_into_the_template():
    stack = new_stack()
    key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    with pytest.raises(RuntimeError, match=(
            r"^\[safe-constructs:CertificatePemHoldsPrivateKey\] Test/RdsCa: certificate_pem \(certificatePem\) holds a private key "
            r"\(PRIVATE KEY\), which DMS does not need and which would be written in clear text into the template; fix: pass only "
            r"the CA certificates \(the -----BEGIN CERTIFICATE----- blocks\), and keep the key out of the app$")):
        DmsCertificate(stack, "RdsCa", certificate_pem=BUNDLE + key)


@pytest.mark.parametrize("pem, got", [
    ("MIIDYzCCAkugAwIBAgIULAIB16C", "no -----BEGIN CERTIFICATE----- block"),  # a .der or .p7b read as text
    ("-----BEGIN PKCS7-----\nMIIDYzCCAkug\n-----END PKCS7-----\n", "a block that is no certificate \\(PKCS7\\)"),
])
def test_fails_with_text_dms_does_not_accept_as_a_certificate(pem, got):
    stack = new_stack()
    with pytest.raises(RuntimeError, match=(
            rf"^\[safe-constructs:CertificatePemInvalid\] Test/RdsCa: certificate_pem \(certificatePem\) must be PEM X.509 "
            rf"certificates, which DMS accepts only, got {got}; fix: pass the text of a .pem bundle \(for RDS: "
            r"https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem\), not a .p7b, .der or .sso file$")):
        DmsCertificate(stack, "RdsCa", certificate_pem=pem)
