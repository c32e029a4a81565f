// Whether what reads a secret from inside a VPC can reach Secrets Manager, judged on CloudFormation
// JSON: by the SP-NET rules (from every template of the app, following exports between its stacks) and
// by the constructs (from their own stack at synth). Private.
import { CfnResource, Stack } from 'aws-cdk-lib';
import {
  AppResources, LocatedResource, CfnProperties, RenderedResource, StackResources, everyOfType, booleanOrUndecided, follow, isLiteral,
  locateResource, oneStack, ofType, referencedId, render, renderedStack, resourceOf, sameResource,
} from './cfn';
import { Problems } from './errors';
import { readsSecrets, roleStatements } from './iam-policies';
import { isSecretsManagerService } from './vpc-endpoints';

/** Something that reads a secret from inside a VPC. */
export interface SecretReader {
  readonly resource: RenderedResource;
  /** The stack that holds it, where its subnets and security groups are read (or imported). */
  readonly stack: StackResources;
  /** What it is, for messages: "the hosted rotation function", "the DMS replication instance"... */
  readonly what: string;
  /** Its subnets and security groups, as CloudFormation values (references, imports or literal ids). */
  readonly subnets: unknown[];
  readonly securityGroups: unknown[];
  /** Whether it has a public address (a DMS replication instance may): an internet gateway route then serves. */
  readonly publiclyAccessible: boolean;
  /**
   * The interface endpoint it calls by its own URL, when it is told one (a rotation of the Serverless
   * Application Repository given aws-cdk-lib's `endpoint`): it needs no private DNS.
   */
  readonly endpoint?: unknown;
  /** Whether only an interface endpoint serves it: a NAT route does not (DMS Serverless). */
  readonly endpointOnly?: boolean;
}

/** What keeps a reader from Secrets Manager, as message parts; undefined parts are fine. */
export interface PathFindings {
  /** The subnets (logical ids) with neither a Secrets Manager interface endpoint nor a NAT route. */
  readonly subnetsWithoutPath?: string[];
  /** The security groups (logical ids), none of which lets TCP 443 out to where Secrets Manager is. */
  readonly groupsWithout443?: string[];
}

/** The AWS pages the findings rest on. */
export const ROTATION_NETWORK_SOURCE = 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html';
export const DMS_ENDPOINT_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html';
/** "Serverless replications need to access dependencies by using VPC endpoints ... AWS Secrets Manager". */
export const DMS_SERVERLESS_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Serverless.Limitations.html';

/**
 * A list-valued property as its items: a list, a comma-separated string, or a `Fn::Join` of them
 * (hosted rotation writes `VpcSubnetIds` as one comma-joined string).
 */
function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => typeof item === 'string' ? splitIds(item) : [item]);
  if (typeof value === 'string') return splitIds(value);
  const join = (value as CfnProperties)['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1]) && (join[0] === ',' || join[0] === '')) return listOf(join[1]);
  return [value];
}

function splitIds(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function secretsManagerSettings(endpoint: RenderedResource): boolean {
  return Object.values(endpoint.properties).some((settings) =>
    settings && typeof settings === 'object' && (settings as CfnProperties).SecretsManagerSecretId !== undefined);
}

/** Whether a DMS task or serverless replication reads either endpoint's credentials from Secrets Manager. */
function endpointsReadSecrets(stack: StackResources, replication: RenderedResource): boolean {
  return [replication.properties.SourceEndpointArn, replication.properties.TargetEndpointArn]
    .map((arn) => resourceOf(stack, arn, 'AWS::DMS::Endpoint')).some((e) => e && secretsManagerSettings(e));
}

/**
 * The interface endpoint a value names (a `Fn::Join` holding its `Ref`, as aws-cdk-lib's
 * secret-rotation.ts builds the `endpoint` parameter: `https://<endpoint id>.secretsmanager.<region>.<suffix>`).
 */
function namedEndpoint(value: unknown): unknown {
  const join = value && typeof value === 'object' ? (value as CfnProperties)['Fn::Join'] : undefined;
  const parts: unknown[] = Array.isArray(join) && Array.isArray(join[1]) ? join[1] : [];
  return parts.find((part) => part !== null && typeof part === 'object' && ('Ref' in part || 'Fn::ImportValue' in part));
}

/**
 * Everything in the stack that reads a secret from inside a VPC: hosted rotation functions,
 * rotation functions of the Serverless Application Repository, VPC Lambda functions whose role may
 * read a secret, DMS replication instances whose tasks' endpoints read their credentials from
 * Secrets Manager, and DMS Serverless replications whose endpoints do.
 */
export function secretReaders(stack: StackResources): SecretReader[] {
  const readers: SecretReader[] = [];
  for (const schedule of ofType(stack, 'AWS::SecretsManager::RotationSchedule')) {
    const hosted = schedule.properties.HostedRotationLambda;
    if (!hosted?.VpcSubnetIds) continue;
    readers.push({
      resource: schedule,
      stack,
      what: 'the hosted rotation function',
      subnets: listOf(hosted.VpcSubnetIds),
      securityGroups: listOf(hosted.VpcSecurityGroupIds),
      publiclyAccessible: false,
    });
  }
  // A rotation function from the Serverless Application Repository (`addRotationSingleUser()` and
  // `SecretRotation` of aws-cdk-lib): an AWS::Serverless::Application that a rotation schedule calls
  // (RotationLambdaARN is its `Outputs.RotationLambdaARN`), whose subnets, security groups and
  // Secrets Manager URL are its parameters `vpcSubnetIds`, `vpcSecurityGroupIds` and `endpoint`
  // (aws-cdk-lib's aws-secretsmanager/lib/secret-rotation.ts).
  const rotationApplications = new Set(ofType(stack, 'AWS::SecretsManager::RotationSchedule')
    .map((schedule) => referencedId(schedule.properties.RotationLambdaARN)));
  for (const application of ofType(stack, 'AWS::Serverless::Application')) {
    const parameters = application.properties.Parameters;
    if (!parameters?.vpcSubnetIds || !rotationApplications.has(application.logicalId)) continue;
    readers.push({
      resource: application,
      stack,
      what: 'the rotation function of the Serverless Application Repository',
      subnets: listOf(parameters.vpcSubnetIds),
      securityGroups: listOf(parameters.vpcSecurityGroupIds),
      publiclyAccessible: false,
      endpoint: namedEndpoint(parameters.endpoint),
    });
  }
  for (const fn of ofType(stack, 'AWS::Lambda::Function')) {
    const vpcConfig = fn.properties.VpcConfig;
    const roleId = referencedId(fn.properties.Role);
    if (!vpcConfig?.SubnetIds || !roleId || !readsSecrets(roleStatements(stack, roleId))) continue;
    readers.push({
      resource: fn,
      stack,
      what: 'the Lambda function, which may read a secret,',
      subnets: listOf(vpcConfig.SubnetIds),
      securityGroups: listOf(vpcConfig.SecurityGroupIds),
      publiclyAccessible: false,
    });
  }
  const instancesReadingSecrets = new Set(ofType(stack, 'AWS::DMS::ReplicationTask')
    .filter((task) => endpointsReadSecrets(stack, task))
    .map((task) => referencedId(task.properties.ReplicationInstanceArn)));
  for (const instance of ofType(stack, 'AWS::DMS::ReplicationInstance')) {
    if (!instancesReadingSecrets.has(instance.logicalId)) continue;
    const group = resourceOf(stack, instance.properties.ReplicationSubnetGroupIdentifier, 'AWS::DMS::ReplicationSubnetGroup');
    readers.push({
      resource: instance,
      stack,
      what: 'the DMS replication instance, whose endpoints read secrets,',
      subnets: listOf(group?.properties.SubnetIds),
      securityGroups: listOf(instance.properties.VpcSecurityGroupIds),
      publiclyAccessible: booleanOrUndecided(instance.properties.PubliclyAccessible) === true,
    });
  }
  // DMS Serverless has no public address and reaches Secrets Manager through an interface endpoint only
  // (DMS guide, "AWS DMS Serverless limitations"); its network is its ComputeConfig (CloudFormation's
  // AWS::DMS::ReplicationConfig, the API's ComputeConfig).
  for (const config of ofType(stack, 'AWS::DMS::ReplicationConfig')) {
    if (!endpointsReadSecrets(stack, config)) continue;
    const compute = config.properties.ComputeConfig ?? {};
    const group = resourceOf(stack, compute.ReplicationSubnetGroupId, 'AWS::DMS::ReplicationSubnetGroup');
    readers.push({
      resource: config,
      stack,
      what: 'the DMS Serverless replication, whose endpoints read secrets,',
      subnets: listOf(group?.properties.SubnetIds),
      securityGroups: listOf(compute.VpcSecurityGroupIds),
      publiclyAccessible: false,
      endpointOnly: true,
    });
  }
  return readers;
}

/** Whether an interface endpoint is one of Secrets Manager's. */
function isSecretsManagerInterface(endpoint: RenderedResource): boolean {
  return endpoint.properties.VpcEndpointType === 'Interface'
    && isSecretsManagerService(render(endpoint.properties.ServiceName));
}

/**
 * The Secrets Manager interface endpoints a reader in `vpc` reaches Secrets Manager through: those of
 * the VPC with private DNS (in any stack of the app), and the one it calls by its own URL.
 */
function secretsManagerEndpoints(app: AppResources, vpc: LocatedResource, reader: SecretReader): LocatedResource[] {
  const named = reader.endpoint === undefined ? undefined
    : locateResource(app, { stack: reader.stack, value: reader.endpoint }, 'AWS::EC2::VPCEndpoint');
  return everyOfType(app, 'AWS::EC2::VPCEndpoint').filter((e) => isSecretsManagerInterface(e.resource)
    && sameResource(locateResource(app, { stack: e.stack, value: e.resource.properties.VpcId }, 'AWS::EC2::VPC'), vpc)
    && (booleanOrUndecided(e.resource.properties.PrivateDnsEnabled) === true || sameResource(e, named)));
}

/** The resources of a type (in any stack) whose `property` points to `target`. */
function pointingTo(app: AppResources, type: string, property: string, target: LocatedResource, targetType: string): LocatedResource[] {
  return everyOfType(app, type).filter((r) =>
    sameResource(locateResource(app, { stack: r.stack, value: r.resource.properties[property] }, targetType), target));
}

/** The targets of a subnet's default route (0.0.0.0/0): 'nat', 'internet', or none. */
function defaultRoute(app: AppResources, subnet: LocatedResource): 'nat' | 'internet' | undefined {
  const tables = pointingTo(app, 'AWS::EC2::SubnetRouteTableAssociation', 'SubnetId', subnet, 'AWS::EC2::Subnet')
    .map((a) => locateResource(app, { stack: a.stack, value: a.resource.properties.RouteTableId }, 'AWS::EC2::RouteTable'))
    .filter((t): t is LocatedResource => t !== undefined);
  const routes = tables.flatMap((table) => pointingTo(app, 'AWS::EC2::Route', 'RouteTableId', table, 'AWS::EC2::RouteTable'))
    .map((r) => r.resource.properties).filter((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  if (routes.some((r) => r.NatGatewayId || r.InstanceId || r.TransitGatewayId || r.NetworkInterfaceId)) return 'nat';
  return routes.some((r) => r.GatewayId) ? 'internet' : undefined;
}

/** Where Secrets Manager answers a reader in `vpc`: any address, the VPC's CIDR, the endpoints' security groups. */
interface Destinations {
  readonly vpc: LocatedResource;
  readonly groups: LocatedResource[];
}

/** Whether an egress rule (read in `stack`) lets TCP 443 out to one of the destinations. */
function lets443Out(app: AppResources, stack: StackResources, rule: CfnProperties, destinations: Destinations): boolean {
  const protocol = String(rule.IpProtocol);
  const portOk = protocol === '-1' || ((protocol === 'tcp' || protocol === '6')
    && Number(rule.FromPort) <= 443 && Number(rule.ToPort) >= 443);
  if (!portOk) return false;
  if (rule.CidrIp !== undefined) {
    const cidr = follow(app, { stack, value: rule.CidrIp });
    const vpcCidr = destinations.vpc.resource.properties.CidrBlock;
    return cidr.value === '0.0.0.0/0' || (isLiteral(vpcCidr) && cidr.value === vpcCidr)
      || (cidr.stack === destinations.vpc.stack
        && render(cidr.value) === render({ 'Fn::GetAtt': [destinations.vpc.resource.logicalId, 'CidrBlock'] }));
  }
  if (rule.DestinationSecurityGroupId !== undefined) {
    const group = locateResource(app, { stack, value: rule.DestinationSecurityGroupId }, 'AWS::EC2::SecurityGroup');
    return destinations.groups.some((g) => sameResource(g, group));
  }
  return false;
}

/**
 * What keeps one reader from Secrets Manager, judged only on what the app defines: subnets or a VPC
 * created outside it (imported) give no finding, nor do security groups created outside it. A subnet,
 * VPC or group of another stack of the app, reached through its export, is judged where it is.
 */
export function pathFindings(app: AppResources, reader: SecretReader): PathFindings {
  const subnets = reader.subnets.map((s) => locateResource(app, { stack: reader.stack, value: s }, 'AWS::EC2::Subnet'));
  if (subnets.length === 0 || subnets.some((s) => s === undefined)) return {};
  const vpcs = subnets.map((s) => locateResource(app, { stack: s!.stack, value: s!.resource.properties.VpcId }, 'AWS::EC2::VPC'));
  const vpc = vpcs[0];
  if (!vpc || vpcs.some((v) => !sameResource(v, vpc))) return {};
  const endpoints = secretsManagerEndpoints(app, vpc, reader);
  const subnetsWithoutPath = endpoints.length > 0 ? [] : subnets.filter((s) => {
    if (reader.endpointOnly) return true;
    const route = defaultRoute(app, s!);
    return !(route === 'nat' || (route === 'internet' && reader.publiclyAccessible));
  }).map((s) => s!.resource.logicalId);

  const groups = reader.securityGroups.map((g) => locateResource(app, { stack: reader.stack, value: g }, 'AWS::EC2::SecurityGroup'));
  let groupsWithout443: string[] = [];
  if (groups.length > 0 && groups.every((g) => g !== undefined)) {
    const destinations: Destinations = {
      vpc,
      groups: endpoints.flatMap((e) => listOf(e.resource.properties.SecurityGroupIds)
        .map((g) => locateResource(app, { stack: e.stack, value: g }, 'AWS::EC2::SecurityGroup'))
        .filter((g): g is LocatedResource => g !== undefined)),
    };
    const open = groups.some((group) => {
      const inline: CfnProperties[] = [].concat(group!.resource.properties.SecurityGroupEgress ?? []);
      const separate = pointingTo(app, 'AWS::EC2::SecurityGroupEgress', 'GroupId', group!, 'AWS::EC2::SecurityGroup');
      // A group with no egress rule at all keeps the default one, which allows all outbound traffic.
      // CloudFormation strips that default when an egress rule is added, inline or as its own
      // resource (aws/aws-cdk#987, #998); AWS's pages say so only of inline rules, so this takes the
      // side that reports: separate rules are all the group allows.
      if (inline.length === 0 && separate.length === 0) return true;
      return inline.some((rule) => lets443Out(app, group!.stack, rule, destinations))
        || separate.some((rule) => lets443Out(app, rule.stack, rule.resource.properties, destinations));
    });
    if (!open) groupsWithout443 = groups.map((g) => g!.resource.logicalId);
  }
  return {
    subnetsWithoutPath: subnetsWithoutPath.length > 0 ? subnetsWithoutPath : undefined,
    groupsWithout443: groupsWithout443.length > 0 ? groupsWithout443 : undefined,
  };
}

/** The fix for a reader with no path, in words (Python spelling). */
export const NO_PATH_FIX = 'add a Secrets Manager interface endpoint to the VPC '
  + '(vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)), '
  + 'or place it in subnets with a NAT route (SubnetType.PRIVATE_WITH_EGRESS)';

/** The fix for a DMS Serverless replication with no endpoint, in words (Python spelling). */
export const NO_ENDPOINT_FIX = 'add a Secrets Manager interface endpoint to the VPC '
  + '(vpc.add_interface_endpoint("SecretsManager", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)): '
  + 'DMS Serverless does not use a NAT route to reach Secrets Manager';

/** The fix for security groups closed on 443, in words (Python spelling). */
export const NO_443_FIX = 'let TCP 443 out of one of its security groups to the endpoint\'s security group or the VPC '
  + 'CIDR (security_group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443)))';

/** One message for a reader's findings, or undefined when it can reach Secrets Manager. */
export function pathProblem(reader: SecretReader, findings: PathFindings): string | undefined {
  const parts: string[] = [];
  if (findings.subnetsWithoutPath) {
    parts.push(reader.endpointOnly
      ? `${reader.what} sits in subnets ${findings.subnetsWithoutPath.join(', ')}, whose VPC has no Secrets Manager `
        + 'interface endpoint with private DNS, the only way DMS Serverless reaches Secrets Manager'
      : `${reader.what} sits in subnets ${findings.subnetsWithoutPath.join(', ')}, which have neither a Secrets Manager `
        + 'interface endpoint with private DNS nor a NAT route, so it cannot reach Secrets Manager');
  }
  if (findings.groupsWithout443) {
    parts.push(`${reader.what} has security groups ${findings.groupsWithout443.join(', ')}, none of which lets TCP 443 out `
      + 'to Secrets Manager (0.0.0.0/0, the VPC CIDR or the endpoint\'s security group)');
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The fix for a reader's subnets without a path. */
export function noPathFix(reader: SecretReader): string {
  return reader.endpointOnly ? NO_ENDPOINT_FIX : NO_PATH_FIX;
}

/**
 * At synth, the problems of one resource of the library that reads a secret from inside a VPC (a
 * rotation schedule, a function): no path to Secrets Manager, or security groups closed on 443.
 */
export function checkSecretReader(problems: Problems, resource: CfnResource): void {
  const stack = Stack.of(resource);
  const resources = renderedStack(stack);
  const logicalId = stack.resolve(resource.logicalId);
  const reader = secretReaders(resources).find((r) => r.resource.logicalId === logicalId);
  if (!reader) return;
  const { subnetsWithoutPath, groupsWithout443 } = pathFindings(oneStack(resources), reader);
  if (subnetsWithoutPath) {
    problems.add('NoPathToSecretsManager', `${pathProblem(reader, { subnetsWithoutPath })} (${ROTATION_NETWORK_SOURCE})`, noPathFix(reader));
  }
  if (groupsWithout443) {
    problems.add('SecretsManagerClosedOn443', pathProblem(reader, { groupsWithout443 })!, NO_443_FIX);
  }
}
