import { aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The two account-wide roles a DMS replication instance needs, with the names DMS looks for:
 * `dms-vpc-role` (to manage its network interfaces) and `dms-cloudwatch-logs-role` (to write task
 * logs), trusting `dms.amazonaws.com` with AWS's managed policies.
 *
 * Create them only in an account that does not have them: the console makes them when DMS is first
 * used there, and creating them again fails (the names are fixed). `PostgresReplication` uses the
 * account's by default and creates them with `accountRoles: DmsAccountRolesMode.CREATE`; a
 * replication instance of your own must depend on them. Endpoints do not need them. A role created
 * seconds before the instance was reported to be rejected by DMS (aws/aws-cdk#7632): if that
 * happens, deploy again.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security-iam.html#CHAP_Security.APIRole
 */
export class DmsAccountRoles extends Construct {
  /** `dms-vpc-role`. */
  public readonly vpcRole: iam.Role;

  /** `dms-cloudwatch-logs-role`. */
  public readonly cloudWatchLogsRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const dms = new iam.ServicePrincipal('dms.amazonaws.com');
    this.vpcRole = new iam.Role(this, 'VpcRole', {
      roleName: 'dms-vpc-role',
      assumedBy: dms,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonDMSVPCManagementRole')],
    });
    this.cloudWatchLogsRole = new iam.Role(this, 'CloudWatchLogsRole', {
      roleName: 'dms-cloudwatch-logs-role',
      assumedBy: dms,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonDMSCloudWatchLogsRole')],
    });
  }
}
