import {
  aws_dms as dms,
  aws_iam as iam,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DmsEndpointEngine, DmsEndpointType, DmsSecretEndpointProps, DmsSslMode } from './dms-endpoint-props';
import { checkDmsEndpointSecret, dmsSecretAccessRole, validateDmsEndpoint } from './private/dms-endpoints';
import { Problems } from './private/errors';
import { SecretPreflightCheck } from './secret-preflight-check';

/**
 * What every DMS endpoint on a Secrets Manager secret is, whatever its engine: the endpoint, the
 * role DMS reads the secret with (trusted by DMS's regional principal, allowed that secret and its
 * key), the checks of the props, and the checks of the secret (at synth for a secret of this app,
 * before the endpoint at deploy for one from outside).
 *
 * An engine is a small class on top of it (`SecureDmsPostgresEndpoint`, `SecureDmsMySqlEndpoint`):
 * it names its engine and TLS modes in a {@link DmsEndpointEngine} and writes its own settings,
 * beside the secret, into `endpoint`.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
 */
export abstract class SecureDmsEndpointBase extends Construct {
  /** The DMS endpoint. */
  public readonly endpoint: dms.CfnEndpoint;

  /** The endpoint's ARN (its `Ref`). */
  public readonly endpointArn: string;

  /** The role DMS assumes to read the secret. */
  public readonly role: iam.Role;

  /** The deploy-time check of the secret, when there is one. */
  public readonly preflightCheck?: SecretPreflightCheck;

  /** The secret DMS reads the connection from. */
  public readonly secret: secretsmanager.ISecret;

  /** Whether DMS reads from the endpoint or writes to it. */
  public readonly endpointType: DmsEndpointType;

  /** How the connection is protected: `sslMode` as given, or the engine's default. */
  public readonly sslMode: DmsSslMode;

  protected constructor(scope: Construct, id: string, props: DmsSecretEndpointProps, engine: DmsEndpointEngine) {
    super(scope, id);
    this.secret = props.secret;
    this.endpointType = props.endpointType;
    this.sslMode = props.sslMode ?? engine.defaultSslMode;
    const common = { ...props, sslMode: this.sslMode };
    const problems = new Problems(this);
    validateDmsEndpoint(this, problems, common, engine);
    this._validateEngine(problems, props);
    problems.throwIfAny();

    this.role = dmsSecretAccessRole(this, props.secret);
    this.endpoint = new dms.CfnEndpoint(this, 'Resource', {
      endpointType: props.endpointType,
      engineName: engine.engineName,
      databaseName: engine.databaseName,
      sslMode: this.sslMode,
      certificateArn: props.certificateArn,
      endpointIdentifier: props.endpointIdentifier,
    });
    this.endpoint.node.addDependency(this.role);
    this.endpointArn = this.endpoint.ref;
    this.preflightCheck = checkDmsEndpointSecret(this, this.endpoint, common, engine.description);
  }

  /**
   * The engine's own checks of its props, reported with the shared ones (all at once). Called by the
   * constructor, before anything is created.
   *
   * @internal
   */
  protected _validateEngine(_problems: Problems, _props: DmsSecretEndpointProps): void {}
}
