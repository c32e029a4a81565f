// What DMS asks of the users its endpoints log in as beyond their grants, judged where both the task and
// the users are seen (PostgresReplication), and of the secrets they log in with (every PostgreSQL
// endpoint). Private.
import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Problems, checkAtSynth, propName, warn } from './errors';
import { rotationKindOf, rotationSchedulesOf } from './rotations';
import { isSecretCreatedInApp } from './secrets';

/** DMS's page on a PostgreSQL source, where both requirements below are written. */
const DMS_POSTGRES_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html';

/** What the check reads of a `PostgresDatabaseUser`. */
export interface DmsSourceUser extends IConstruct {
  readonly grantRdsSuperuser?: boolean;
}

/**
 * A source user that is not the master, in a task with change data capture: the DMS guide requires
 * `rds_superuser` and `rds_replication` ("If you use an account other than the master user account, the
 * account must have the `rds_superuser` role and the `rds_replication` role"), with no exception for
 * `CaptureDdls: false`, which only spares the DDL-capture table and trigger. The user grants
 * `rds_replication` always; `rds_superuser` is a choice the user's construct must make
 * (`grantRdsSuperuser`): unmade, the task is refused; made false, a warning says what DMS documents.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export function checkSourceUserRoles(problems: Problems, user: DmsSourceUser | undefined, migrationType: string): void {
  if (user === undefined || migrationType === 'full-load') return;
  if (user.grantRdsSuperuser === undefined) {
    problems.add('SourceUserNeedsRdsSuperuser', `${propName('migrationType')} is ${migrationType}, and the source endpoint logs in as `
      + `${user.node.path}, which is not the master and is not a member of rds_superuser: for change data capture the DMS guide requires `
      + `a source user other than the master to have rds_superuser and rds_replication (${DMS_POSTGRES_SOURCE}, whatever CaptureDdls is)`,
    'set grant_rds_superuser=True (grantRdsSuperuser) on that PostgresDatabaseUser (its members may create event triggers, install extensions '
      + 'and grant rds_superuser: README, "The users DMS logs in as"), or give the source endpoint the master\'s secret, or set it to '
      + 'False to keep the user without it, against the guide, where you have tested change data capture that way');
  } else if (!user.grantRdsSuperuser) {
    warn(user, 'sourceUserWithoutRdsSuperuser', `${propName('grantRdsSuperuser')} is False for the user of a ${migrationType} task's `
      + 'source: the DMS guide requires rds_superuser of a source user other than the master for change data capture; the task may fail '
      + `when change data capture starts (${DMS_POSTGRES_SOURCE})`);
  }
}

/**
 * A multi-user rotation of a PostgreSQL endpoint's secret: AWS's function creates `<user>_clone` as a
 * member of the user and switches the secret between the two, and DMS creates its heartbeat and control
 * tables as whichever is current when the task starts, so that after the next rotation the other may not
 * write them (README, "The task after the deploy"). Refused where the app holds the rotation; where it
 * cannot be read (the secret comes from outside the app, or a rotation function of the user's own
 * rotates it) a warning says what to check.
 *
 * @see https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/blob/master/SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py
 */
export function checkDmsSecretRotation(scope: IConstruct, secret: secretsmanager.ISecret): void {
  const why = 'DMS creates its heartbeat and control tables as whichever user is current when the task starts, and after the next '
    + 'rotation the other user (AWS\'s function creates <user>_clone, a member of the user) may not write them';
  if (!isSecretCreatedInApp(secret)) {
    warn(scope, 'dmsSecretRotationUnseen', 'the endpoint\'s secret comes from outside the app, so how it is rotated cannot be seen: rotate '
      + `it with a single-user rotation, not a multi-user one: ${why}`);
    return;
  }
  // The schedule may be added after the endpoint (secret.add_rotation_schedule): read once the app is built.
  checkAtSynth(scope, (problems) => rotationSchedulesOf(secret).forEach((schedule) => {
    const kind = rotationKindOf(schedule);
    if (kind.multiUser === true) {
      problems.add('MultiUserRotationOnDmsSecret', `${propName('secret')} is rotated by ${schedule.node.path}, a ${kind.rotationType} `
        + `rotation: ${why}`, 'rotate the DMS user\'s secret with a single-user rotation (HostedRotation.postgre_sql_single_user()); '
        + 'its user then keeps one name and the objects DMS created as it');
    } else if (kind.rotationType === undefined) {
      warn(scope, 'dmsSecretRotationUnseen', `the endpoint's secret is rotated by ${schedule.node.path}, whose function is not a hosted `
        + `rotation the library can read: make it a single-user rotation, not a multi-user one: ${why}`);
    }
  }));
}
