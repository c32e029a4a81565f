import { Token, aws_dms as dms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems } from './private/errors';

/** One PEM block: its label and its body (RFC 7468). */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** A PEM body: base64 over lines. */
const PEM_BODY = /^[A-Za-z0-9+/=\s]+$/;

/**
 * Properties of a {@link DmsCertificate}.
 */
export interface DmsCertificateProps {
  /**
   * The CA certificates that signed the database server's certificate, as PEM text: one or more
   * `-----BEGIN CERTIFICATE-----` blocks, the root and any intermediates ("Certificates are accepted
   * as PEM formatted X509 files, only"). For Amazon RDS and Aurora, the certificate bundle of the
   * database's Region (`https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem`) or
   * the global bundle; read the downloaded file in your app
   * (`pathlib.Path("eu-west-1-bundle.pem").read_text()`). A private key is refused: DMS needs none,
   * and the text is written into the template.
   *
   * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
   */
  readonly certificatePem: string;
}

/**
 * A CA certificate imported into DMS (`AWS::DMS::Certificate` from `CertificatePem`), for endpoints
 * that verify their database's server (`DmsSslMode.VERIFY_FULL` or `VERIFY_CA`): pass its
 * `certificateArn` as the endpoint's `certificateArn`.
 *
 * The library does not ship RDS's bundle (it changes when RDS adds a CA, and a copy in the package
 * would go stale unseen): download it, and deploy again with the new file when RDS publishes a new
 * one. `CertificatePem` is create-only, so a new bundle replaces the certificate and updates the
 * endpoint's `CertificateArn` in place (not create-only on `AWS::DMS::Endpoint`, so the endpoint and
 * its task stay). The certificate's name is left to CloudFormation for that reason: a fixed name would
 * collide with the old certificate during the replacement.
 *
 * @example
 * declare const bundle: string; // the text of RDS's eu-west-1-bundle.pem, downloaded
 * const rdsCa = new DmsCertificate(this, 'RdsCa', { certificatePem: bundle });
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dms-certificate.html
 */
export class DmsCertificate extends Construct {
  /** The certificate. */
  public readonly resource: dms.CfnCertificate;

  /** The certificate's ARN (its `Ref`): an endpoint's `certificateArn`. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DmsCertificateProps) {
    super(scope, id);
    const problems = new Problems(this);
    validatePem(problems, props.certificatePem);
    problems.throwIfAny();
    this.resource = new dms.CfnCertificate(this, 'Resource', { certificatePem: props.certificatePem });
    this.certificateArn = this.resource.ref;
  }
}

/** The PEM text holds certificates only: one block at least, none of them a key or anything else. */
function validatePem(problems: Problems, pem: string): void {
  if (Token.isUnresolved(pem)) return;
  const blocks = [...pem.matchAll(PEM_BLOCK)].map(([, label, body]) => ({ label, body }));
  const keys = blocks.filter((block) => block.label.endsWith('PRIVATE KEY'));
  if (keys.length > 0) {
    problems.prop('CertificatePemHoldsPrivateKey', 'certificatePem', `holds a private key (${keys.map((k) => k.label).join(', ')}), `
      + 'which DMS does not need and which would be written in clear text into the template',
    'pass only the CA certificates (the -----BEGIN CERTIFICATE----- blocks), and keep the key out of the app');
    return;
  }
  const others = blocks.filter((block) => block.label !== 'CERTIFICATE' || !PEM_BODY.test(block.body));
  if (blocks.length === 0 || others.length > 0) {
    const got = blocks.length === 0 ? 'no -----BEGIN CERTIFICATE----- block' : `a block that is no certificate (${others[0].label})`;
    problems.prop('CertificatePemInvalid', 'certificatePem', `must be PEM X.509 certificates, which DMS accepts only, got ${got}`,
      'pass the text of a .pem bundle (for RDS: https://truststore.pki.rds.amazonaws.com/<region>/<region>-bundle.pem), '
      + 'not a .p7b, .der or .sso file');
  }
}
