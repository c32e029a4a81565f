// DMS resource identifiers the library sets itself, and the values DMS's CloudWatch metrics carry in
// their dimensions. Private.
import { Fn, Names } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * DMS's rule for the identifiers of replication instances (1 to 63 characters) and tasks (1 to 255):
 * "alphanumeric characters or hyphens. First character must be a letter. Can't end with a hyphen or
 * contain two consecutive hyphens"; DMS stores them "as a lowercase string".
 *
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationTask.html
 */
export const DMS_IDENTIFIER = /^[a-z](?:-?[a-z0-9])*$/;

/**
 * A DMS identifier for `scope`, unique in its account and region as its stack name and construct path
 * are: aws-cdk-lib's `Names.uniqueResourceName` (the stack name, the path and a hash of the path, within
 * `maxLength`), lower case, within DMS's rule ({@link DMS_IDENTIFIER}). The same construct in the same
 * stack always gets the same identifier.
 */
export function dmsIdentifier(scope: IConstruct, maxLength: number): string {
  const name = Names.uniqueResourceName(scope, { maxLength, separator: '-' }).toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return name.length > 0 ? name : 'dms';
}

/**
 * The resource id at the end of a DMS ARN (`arn:aws:dms:<region>:<account>:<type>:<resource id>`,
 * DMS guide, CHAP_Introduction.AWS.ARN): the sixth `:` part, whatever the partition, as
 * `Fn::Select [6, Fn::Split [":", arn]]`. DMS puts it in the `ReplicationTaskIdentifier` dimension of
 * task metrics and the `ReplicationInstanceExternalResourceId` dimension of instance metrics.
 *
 * No AWS document states those dimension values: metric data read from accounts agrees (a dashboard
 * exported from one, CloudWatch exporters), and so do the dimension names in AWS's own metric table
 * (aws-cdk-lib's `aws-dms/lib/dms-canned-metrics.generated`). Every alarm on them treats missing data
 * as breaching, so a wrong value shows as an alarm, never as silence.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.AWS.ARN.html
 */
export function arnResourceId(arn: string): string {
  return Fn.select(6, Fn.split(':', arn));
}
