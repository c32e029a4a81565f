// What a construct references must be in its own account and Region: CloudFormation references no
// resource of another environment (aws-cdk-lib: CannotUseCrossEnvironment, which names no prop), and
// some AWS resources work only within their Region. Checked before anything is created. Private.
import { Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { Problems } from './errors';

/** A prop whose value must live in the construct's environment, and the fix when it does not. */
export interface SameEnvironmentProp {
  readonly prop: string;
  readonly value: unknown;
  readonly fix: string;
}

/** An environment as a message names it. */
function environmentOf(stack: Stack): string {
  const name = (value: string) => (Token.isUnresolved(value) ? 'not set' : value);
  return `account ${name(stack.account)}, Region ${name(stack.region)}`;
}

/** Refuses each prop whose construct is in a stack of another account or Region than `scope`'s; whether none is. */
export function checkSameEnvironment(problems: Problems, scope: IConstruct, props: SameEnvironmentProp[]): boolean {
  const home = Stack.of(scope);
  let same = true;
  for (const { prop, value, fix } of props) {
    if (!Construct.isConstruct(value)) continue;
    const stack = Stack.of(value);
    if (stack.account === home.account && stack.region === home.region) continue;
    same = false;
    problems.prop('CrossEnvironment', prop, `is in stack ${stack.node.path} (${environmentOf(stack)}), and this construct is in stack `
      + `${home.node.path} (${environmentOf(home)}): a CloudFormation stack cannot reference a resource of another account or Region`, fix);
  }
  return same;
}

/** DMS's resources are regional: a DMS ARN names its Region. */
const DMS_ARN_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Introduction.AWS.ARN.html';
/** "You can't reference the security group of a peer VPC that's in a different Region. Instead, use the CIDR block of the peer VPC." */
const PEER_GROUP_SOURCE = 'https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html';

/** What a DMS replication references, each with the fix for one in another account or Region. */
export function replicationEnvironmentProps(props: {
  source: unknown;
  target: unknown;
  sourceDatabase: unknown;
  targetDatabase: unknown;
  vpc: unknown;
  secretsManagerEndpoint?: unknown;
}): SameEnvironmentProp[] {
  const endpointFix = 'build the SecureDmsPostgresEndpoint in a stack of the replication\'s account and Region (its own stack will do): DMS '
    + `makes a task of endpoints of its own Region (a DMS ARN names its Region, ${DMS_ARN_SOURCE}); a database in another Region stays `
    + 'there, reached by the host in the endpoint\'s secret over VPC peering or a transit gateway';
  const databaseFix = 'pass the database\'s network as this stack can name it, ec2.Connections(peer=ec2.Peer.ipv4("<the database\'s '
    + 'CIDR>"), default_port=ec2.Port.tcp(5432)), and in the database\'s stack admit the replication VPC\'s CIDR on that port: a security '
    + `group cannot reference one of a VPC in another Region (${PEER_GROUP_SOURCE})`;
  return [
    { prop: 'source', value: props.source, fix: endpointFix },
    { prop: 'target', value: props.target, fix: endpointFix },
    { prop: 'sourceDatabase', value: props.sourceDatabase, fix: databaseFix },
    { prop: 'targetDatabase', value: props.targetDatabase, fix: databaseFix },
    { prop: 'vpc', value: props.vpc, fix: 'build the replication in a stack of the VPC\'s account and Region, or import the VPC there (ec2.Vpc.from_lookup)' },
    {
      prop: 'secretsManagerEndpoint',
      value: props.secretsManagerEndpoint,
      fix: 'give an endpoint of the replication\'s VPC, imported in its '
      + 'stack (ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes)',
    },
  ];
}

/** What a `PostgresDatabaseUser` references, each with the fix for one in another account or Region. */
export function databaseUserEnvironmentProps(props: { vpc: unknown; database?: unknown }): SameEnvironmentProp[] {
  const fix = 'create the user in a stack of the database\'s account and Region: its function runs in the database\'s VPC and '
    + 'connects to it there';
  return [{ prop: 'vpc', value: props.vpc, fix }, { prop: 'database', value: props.database, fix }];
}
