// "Check this secret's content at synth, or before this consumer at deploy": the one way a construct
// makes sure a secret holds what its consumer reads. Private; it creates the SecretPreflightCheck it serves.
import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { SecretPreflightCheck } from '../secret-preflight-check';
import { ErrorId, checkAtSynth, propName, show } from './errors';
import { missingCharacters } from './passwords';
import { isSecretCreatedInApp, knownSecretContent, missingKeysProblem, waitForAttachment } from './secrets';

/** What a consumer reads from a secret, and what is reported when a secret of the app will not hold it. */
export interface SecretContentCheck {
  readonly secret: secretsmanager.ISecret;
  /** The construct's prop that takes the secret (jsii name), as synth-time messages name it. */
  readonly prop: string;
  /** The JSON keys the consumer reads. */
  readonly requiredKeys: string[];
  /** The consumer at synth: "DMS" in "..., and DMS also needs host, port". */
  readonly consumer: string;
  /** The consumer as the deploy-time check's failure names it. */
  readonly consumerAtDeploy: string;
  /** The error reported at synth when a key is missing, with its fix. */
  readonly lacksKeys: { readonly id: ErrorId; readonly fix: string };
  /**
   * Password characters the consumer rejects: looked for in the generated password (at synth) or in
   * the value (at deploy), in the key `password`.
   */
  readonly rejectedCharacters?: {
    readonly characters: string;
    /** Where the consumer rejects them: "in endpoint passwords". */
    readonly where: string;
    readonly id: ErrorId;
    readonly fix: string;
  };
  /**
   * Whether the deploy-time check is made; it replaces the synth-time one for a secret from outside the app.
   *
   * @default - for a secret created outside this app
   */
  readonly atDeploy?: boolean;
  /** The id of the deploy-time check under the scope. */
  readonly checkId: string;
  /** What waits for the deploy-time check: the consumer's resources. */
  readonly guards: IConstruct[];
  /**
   * What waits for the secret's attachment (which writes host and port), besides the check.
   *
   * @default - only the check
   */
  readonly waitForAttachment?: IConstruct[];
}

/**
 * Checks a secret's content where it can be known: at synth for a secret created in this app (its
 * keys and its generated password's characters), at deploy before the consumer for one from outside
 * (a `SecretPreflightCheck`, which the consumer's resources wait for). Returns the deploy-time check, if any.
 */
export function checkSecretContent(scope: Construct, check: SecretContentCheck): SecretPreflightCheck | undefined {
  const createdInApp = isSecretCreatedInApp(check.secret);
  let preflight: SecretPreflightCheck | undefined;
  if (check.atDeploy ?? !createdInApp) {
    preflight = new SecretPreflightCheck(scope, check.checkId, {
      secret: check.secret,
      requiredKeys: check.requiredKeys,
      ...(check.rejectedCharacters ? { passwordKey: 'password', rejectedPasswordCharacters: check.rejectedCharacters.characters } : {}),
      consumer: check.consumerAtDeploy,
    });
    check.guards.forEach((guarded) => preflight!.guard(guarded));
  }
  const waiting = [...(check.waitForAttachment ?? []), ...(preflight ? [preflight.resource] : [])];
  if (waiting.length > 0) waitForAttachment(check.secret, scope, waiting);
  if (createdInApp) {
    checkAtSynth(scope, (problems) => {
      const lacking = missingKeysProblem(check.secret, check.prop, check.requiredKeys, check.consumer);
      if (lacking) problems.add(check.lacksKeys.id, lacking, check.lacksKeys.fix);
      const rejected = check.rejectedCharacters;
      const excluded = knownSecretContent(check.secret).excludedCharacters;
      const allowed = rejected && excluded !== undefined ? missingCharacters(excluded, rejected.characters) : '';
      if (rejected && allowed) {
        problems.add(rejected.id, `${propName(check.prop)} generates passwords that may contain ${show(allowed)}, `
          + `which ${check.consumer} rejects ${rejected.where}`, rejected.fix);
      }
    });
  }
  return preflight;
}
