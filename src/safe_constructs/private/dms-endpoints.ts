// What every DMS endpoint on a Secrets Manager secret shares: the role DMS reads the secret with,
// the checks of its props, and the checks of the secret. Private: not exported from index.ts;
// SecureDmsEndpointBase reads it.
import { Stack, Token, aws_dms as dms, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SecretPreflightCheck } from '../secret-preflight-check';
import { Problems, propName, show, warn } from './errors';
import { DMS_REJECTED_PASSWORD_CHARACTERS } from './passwords';
import { checkSecretContent } from './secret-checks';
import { grantSecretRead, isRdsManagedMasterSecret, isSecretCreatedInApp } from './secrets';

/** The keys DMS reads from an endpoint's secret; others are ignored (`dbname` among them). */
const DMS_SECRET_KEYS = ['username', 'password', 'host', 'port'];

/** An endpoint identifier DMS accepts (CreateEndpoint): a letter first, single hyphens, none at the end. */
const ENDPOINT_IDENTIFIER_MAX = 255;
const ENDPOINT_IDENTIFIER = new RegExp(`^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,${ENDPOINT_IDENTIFIER_MAX - 1}}$`);

/** DMS's SSL page: the modes each engine supports, and the certificates verify-ca and verify-full need. */
const DMS_SSL_PAGE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Security.SSL.html';

/** Where RDS publishes its certificate bundles ("Certificate bundles for specific AWS Regions"). */
const RDS_BUNDLES = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html';

/** The props every secret-backed DMS endpoint has, as its construct received them. */
export interface DmsEndpointCommon {
  readonly secret: secretsmanager.ISecret;
  readonly sslMode: string;
  readonly certificateArn?: string;
  readonly endpointIdentifier?: string;
  readonly preflightCheck?: boolean;
}

/**
 * The role DMS assumes to read one secret: trusted by DMS's regional principal
 * (`dms.<region>.amazonaws.com`, which DMS requires), allowed to read that secret and decrypt with its key.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 */
export function dmsSecretAccessRole(scope: Construct, secret: secretsmanager.ISecret): iam.Role {
  const role = new iam.Role(scope, 'SecretAccessRole', {
    assumedBy: new iam.ServicePrincipal(`dms.${Stack.of(scope).region}.amazonaws.com`),
    description: 'Lets DMS read one endpoint secret',
  });
  grantSecretRead(secret, role);
  return role;
}

/** What an endpoint's engine declares that the shared checks read: its TLS modes, and its name in messages. */
export interface DmsEngineTls {
  readonly sslModes: string[];
  readonly description: string;
}

/** A TLS mode as its enum member's name: `VERIFY_FULL`. */
function sslModeName(mode: string): string {
  return mode.toUpperCase().replace(/-/g, '_');
}

/** The problems of the props every secret-backed DMS endpoint shares; a warning for TLS turned off. */
export function validateDmsEndpoint(scope: Construct, problems: Problems, props: DmsEndpointCommon, engine: DmsEngineTls): void {
  if (!engine.sslModes.includes(props.sslMode)) {
    problems.prop('SslModeUnsupported', 'sslMode', `is ${sslModeName(props.sslMode)}, which DMS does not support for ${engine.description} `
      + `(${DMS_SSL_PAGE}, its table of modes per engine)`,
    `use DmsSslMode.${engine.sslModes.filter((mode) => mode !== 'none').map(sslModeName).join(' or ')}`);
  }
  const encrypting = ['require', 'verify-full'].filter((mode) => engine.sslModes.includes(mode));
  const verifying = props.sslMode === 'verify-ca' || props.sslMode === 'verify-full';
  if (verifying && !props.certificateArn) {
    problems.prop('CertificateMissing', 'certificateArn', `is required with ${propName('sslMode')} ${props.sslMode}, and none was given`,
      'import the CA that signed the server\'s certificate with DmsCertificate (for RDS and Aurora: the certificate bundle of its Region, '
      + `${RDS_BUNDLES}) and pass its certificate_arn${engine.sslModes.includes('require') ? ', or use DmsSslMode.REQUIRE' : ''}`);
  }
  if (!verifying && props.certificateArn) {
    problems.prop('CertificateUnused', 'certificateArn', `is used only with VERIFY_CA or VERIFY_FULL, got ${propName('sslMode')}: ${props.sslMode}`,
      'use DmsSslMode.VERIFY_FULL to verify the server with it, or remove certificate_arn');
  }
  if (props.sslMode === 'none') {
    warn(scope, 'dmsSslNone',
      'ssl_mode (sslMode) is NONE: DMS and the database exchange credentials and data in clear text; '
      + `use DmsSslMode.${encrypting.map(sslModeName).join(' or ')} unless the database cannot speak TLS`);
  }
  if (props.endpointIdentifier !== undefined && !Token.isUnresolved(props.endpointIdentifier)
    && (!ENDPOINT_IDENTIFIER.test(props.endpointIdentifier) || props.endpointIdentifier.endsWith('-'))) {
    problems.prop('EndpointIdentifierInvalid', 'endpointIdentifier', `is not a name DMS accepts, got: ${show(props.endpointIdentifier)}`,
      `use a letter, then letters, digits and single hyphens (${ENDPOINT_IDENTIFIER_MAX} characters at most, no hyphen at the end)`);
  }
  if (isRdsManagedMasterSecret(props.secret)) {
    problems.prop('SecretLacksHostAndPort', 'secret',
      'is the master secret RDS manages (MasterUserSecret), which holds only username and password, and DMS also needs host and port',
      'use a RotatingSecret attached to the database, or a secret with all four keys');
  }
  if (props.preflightCheck === true && isSecretCreatedInApp(props.secret)) {
    problems.prop('PreflightOnAppSecret', 'preflightCheck', 'is true for a secret created in this app, whose keys are checked at synth time',
      'omit preflight_check (preflightCheck): the deploy-time check is for secrets created outside the app');
  }
}

/**
 * The checks of the endpoint's secret: at synth for a secret of this app (its keys and generated
 * characters), at deploy before the endpoint for one from outside. The endpoint (and the check) wait
 * for the secret's attachment, which writes host and port.
 */
export function checkDmsEndpointSecret(scope: Construct, endpoint: dms.CfnEndpoint, props: DmsEndpointCommon,
  consumer: string): SecretPreflightCheck | undefined {
  return checkSecretContent(scope, {
    secret: props.secret,
    prop: 'secret',
    requiredKeys: DMS_SECRET_KEYS,
    consumer: 'DMS',
    consumerAtDeploy: consumer,
    lacksKeys: {
      id: 'SecretLacksKeys',
      fix: 'attach the secret to its database (rds.Credentials.from_secret(secret) or secret.attach(instance)) so it holds host and port',
    },
    rejectedCharacters: {
      characters: DMS_REJECTED_PASSWORD_CHARACTERS,
      where: 'in endpoint passwords',
      id: 'SecretAllowsRejectedCharacters',
      fix: 'use a RotatingSecret, or exclude those characters in generate_secret_string',
    },
    atDeploy: props.preflightCheck,
    checkId: 'SecretCheck',
    guards: [endpoint],
    waitForAttachment: [endpoint],
  });
}
