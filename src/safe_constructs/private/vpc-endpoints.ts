// The interface endpoints a construct finds in its VPC, or adds to it: one Secrets Manager endpoint
// with private DNS per VPC in the app, none added to an imported VPC unless asked. Private.
import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { render } from './cfn';
import { Problems, propName, warn } from './errors';

/**
 * Why a second Secrets Manager endpoint with private DNS fails in one VPC. No AWS page states the
 * restriction; its mechanism is documented (CreateVpcEndpoint `PrivateDnsEnabled`: "associate a private
 * hosted zone with the specified VPC", for the service's default DNS name, and Route 53's
 * `ConflictingDomainExists` for a second zone of one name in a VPC), and EC2's refusal is reported
 * verbatim: "private-dns-enabled cannot be set because there is already a conflicting DNS domain"
 * (hashicorp/terraform-provider-aws#17269, fortinet/fortigate-autoscale-aws#43).
 */
export const SECOND_ENDPOINT_FAILS = 'a second Secrets Manager interface endpoint with private DNS in one VPC fails to deploy '
  + '("private-dns-enabled cannot be set because there is already a conflicting DNS domain", '
  + 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html)';

/** Whether a VPC is defined in this app (an `ec2.Vpc`), not imported (`from_lookup`, `from_vpc_attributes`). */
export function isVpcCreatedInApp(vpc: ec2.IVpc): boolean {
  return Construct.isConstruct(vpc) && vpc.node.defaultChild instanceof ec2.CfnVPC;
}

/** Whether a rendered service name is Secrets Manager's (`com.amazonaws.<region>.secretsmanager`, or its FIPS twin). */
export function isSecretsManagerService(serviceName: string): boolean {
  return /(^|\.)secretsmanager(-fips)?$/.test(serviceName);
}

/** Whether an interface endpoint is Secrets Manager's with private DNS (the L2's default). */
function isSecretsManagerWithPrivateDns(endpoint: ec2.InterfaceVpcEndpoint): boolean {
  const resource = endpoint.node.defaultChild as ec2.CfnVPCEndpoint;
  return isSecretsManagerService(render(Stack.of(endpoint).resolve(resource.serviceName))) && resource.privateDnsEnabled !== false;
}

/** The Secrets Manager interface endpoints with private DNS that this app defines in a VPC (by its id), in any stack. */
export function secretsManagerEndpointsIn(scope: IConstruct, vpc: ec2.IVpc): ec2.InterfaceVpcEndpoint[] {
  return scope.node.root.node.findAll().filter((node): node is ec2.InterfaceVpcEndpoint => node instanceof ec2.InterfaceVpcEndpoint
    && (node.node.defaultChild as ec2.CfnVPCEndpoint).vpcId === vpc.vpcId && isSecretsManagerWithPrivateDns(node));
}

/** Where a construct reaches Secrets Manager from a VPC, as its props say. */
export interface SecretsManagerPath {
  readonly vpc: ec2.IVpc;
  readonly subnets?: ec2.SubnetSelection;
  /** The endpoint the construct was given. */
  readonly endpoint?: ec2.IInterfaceVpcEndpoint;
  /** Whether to create one where the app has none in the VPC; by default only for a VPC of this app. */
  readonly create?: boolean;
}

/** Refuses an endpoint given together with `createSecretsManagerEndpoint`: one of them would be ignored. */
export function validateSecretsManagerPath(problems: Problems, path: SecretsManagerPath): void {
  if (path.endpoint && path.create !== undefined) {
    problems.prop('SecretsManagerEndpointConflict', 'createSecretsManagerEndpoint', `is ${path.create} while `
      + `${propName('secretsManagerEndpoint')} is given, so one of the two would be ignored`, 'give one: the endpoint the VPC has, '
      + 'or create_secrets_manager_endpoint');
  }
}

/**
 * Lets `group` reach Secrets Manager (TCP 443) and returns the endpoint it reaches it through: the one
 * given, the VPC's endpoint of this app (in any stack: one per VPC), or a new one. In an imported VPC
 * none is created unless asked, since the VPC may have one already; then 443 goes to the VPC's CIDR
 * where it is known, and a warning says what to check.
 */
export function reachSecretsManager(scope: Construct, group: ec2.SecurityGroup, path: SecretsManagerPath): ec2.IInterfaceVpcEndpoint | undefined {
  const endpoint = path.endpoint ?? secretsManagerEndpointsIn(scope, path.vpc)[0]
    ?? ((path.create ?? isVpcCreatedInApp(path.vpc)) ? new ec2.InterfaceVpcEndpoint(scope, 'SecretsManagerEndpoint', {
      vpc: path.vpc, subnets: path.subnets, service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, open: false,
    }) : undefined);
  if (endpoint) {
    group.connections.allowTo(endpoint, ec2.Port.tcp(443), 'DMS reads the endpoint secrets');
    return endpoint;
  }
  const cidr = cidrOf(path.vpc);
  if (cidr) group.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'DMS reads the endpoint secrets through the VPC\'s endpoint');
  const why = isVpcCreatedInApp(path.vpc) ? `${propName('createSecretsManagerEndpoint')} is false, and this app defines no Secrets Manager `
    + 'interface endpoint in vpc' : 'vpc is imported, so whether it has a Secrets Manager interface endpoint with private DNS cannot be '
    + `seen, and none was created: ${SECOND_ENDPOINT_FAILS}`;
  warn(scope, 'secretsManagerEndpointNotCreated', `${why}. The replication instance ${cidr ? 'may send TCP 443 to the '
    + `VPC's CIDR (${cidr})` : 'sends TCP 443 nowhere (the imported VPC has no CIDR)'}. Check that the VPC has such an endpoint whose `
    + 'security group admits this construct\'s security group on TCP 443, and pass it as secrets_manager_endpoint '
    + '(ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes); if it has none, set create_secrets_manager_endpoint=True');
  return undefined;
}

/** An imported VPC's CIDR, when it was given (`from_vpc_attributes` without `vpc_cidr_block` throws on reading it). */
function cidrOf(vpc: ec2.IVpc): string | undefined {
  try {
    return vpc.vpcCidrBlock;
  } catch {
    return undefined;
  }
}

/**
 * At synth: refuses a second Secrets Manager endpoint with private DNS in the construct's VPC, which
 * the app may have added after the construct looked for one (`vpc.add_interface_endpoint` below it).
 */
export function checkOneSecretsManagerEndpoint(problems: Problems, scope: IConstruct, vpc: ec2.IVpc): void {
  const endpoints = secretsManagerEndpointsIn(scope, vpc);
  if (endpoints.length < 2) return;
  problems.add('SecretsManagerEndpointTwice', `the VPC ${vpc.node.path} has ${endpoints.length} `
    + `Secrets Manager interface endpoints with private DNS in this app (${endpoints.map((e) => e.node.path).join(', ')}), and `
    + SECOND_ENDPOINT_FAILS, 'keep one: create the VPC\'s endpoint before the constructs that need it (they reuse it), or pass it '
    + 'to them as secrets_manager_endpoint');
}
