// Whether what reads a secret from inside a VPC can reach Secrets Manager, judged on CloudFormation
// JSON: by the SP-NET rules (from templates) and by the constructs (from their own stack at synth). Private.
import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnProperties, RenderedResource, StackResources, booleanOrUndecided, isLiteral, ofType, referencedId, render, renderedStack, resourceOf } from './cfn';
import { Problems } from './errors';
import { readsSecrets, roleStatements } from './iam-policies';

/** Something that reads a secret from inside a VPC. */
export interface SecretReader {
  readonly resource: RenderedResource;
  /** What it is, for messages: "the hosted rotation function", "the DMS replication instance"... */
  readonly what: string;
  /** Its subnets and security groups, as CloudFormation values (references or literal ids). */
  readonly subnets: unknown[];
  readonly securityGroups: unknown[];
  /** Whether it has a public address (a DMS replication instance may): an internet gateway route then serves. */
  readonly publiclyAccessible: boolean;
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

/**
 * Everything in the stack that reads a secret from inside a VPC: hosted rotation functions,
 * rotation functions of the Serverless Application Repository, VPC Lambda functions whose role may
 * read a secret, and DMS replication instances whose tasks' endpoints read their credentials from
 * Secrets Manager.
 */
export function secretReaders(stack: StackResources): SecretReader[] {
  const readers: SecretReader[] = [];
  for (const schedule of ofType(stack, 'AWS::SecretsManager::RotationSchedule')) {
    const hosted = schedule.properties.HostedRotationLambda;
    if (!hosted?.VpcSubnetIds) continue;
    readers.push({
      resource: schedule,
      what: 'the hosted rotation function',
      subnets: listOf(hosted.VpcSubnetIds),
      securityGroups: listOf(hosted.VpcSecurityGroupIds),
      publiclyAccessible: false,
    });
  }
  // A rotation function from the Serverless Application Repository (`addRotationSingleUser()` and
  // `SecretRotation` of aws-cdk-lib): an AWS::Serverless::Application that a rotation schedule calls
  // (RotationLambdaARN is its `Outputs.RotationLambdaARN`), whose subnets and security groups are its
  // parameters `vpcSubnetIds` and `vpcSecurityGroupIds` (aws-cdk-lib's aws-secretsmanager/lib/secret-rotation.ts).
  const rotationApplications = new Set(ofType(stack, 'AWS::SecretsManager::RotationSchedule')
    .map((schedule) => referencedId(schedule.properties.RotationLambdaARN)));
  for (const application of ofType(stack, 'AWS::Serverless::Application')) {
    const parameters = application.properties.Parameters;
    if (!parameters?.vpcSubnetIds || !rotationApplications.has(application.logicalId)) continue;
    readers.push({
      resource: application,
      what: 'the rotation function of the Serverless Application Repository',
      subnets: listOf(parameters.vpcSubnetIds),
      securityGroups: listOf(parameters.vpcSecurityGroupIds),
      publiclyAccessible: false,
    });
  }
  for (const fn of ofType(stack, 'AWS::Lambda::Function')) {
    const vpcConfig = fn.properties.VpcConfig;
    const roleId = referencedId(fn.properties.Role);
    if (!vpcConfig?.SubnetIds || !roleId || !readsSecrets(roleStatements(stack, roleId))) continue;
    readers.push({
      resource: fn,
      what: 'the Lambda function, which may read a secret,',
      subnets: listOf(vpcConfig.SubnetIds),
      securityGroups: listOf(vpcConfig.SecurityGroupIds),
      publiclyAccessible: false,
    });
  }
  const instancesReadingSecrets = new Set(ofType(stack, 'AWS::DMS::ReplicationTask')
    .filter((task) => [task.properties.SourceEndpointArn, task.properties.TargetEndpointArn]
      .map((arn) => resourceOf(stack, arn, 'AWS::DMS::Endpoint')).some((e) => e && secretsManagerSettings(e)))
    .map((task) => referencedId(task.properties.ReplicationInstanceArn)));
  for (const instance of ofType(stack, 'AWS::DMS::ReplicationInstance')) {
    if (!instancesReadingSecrets.has(instance.logicalId)) continue;
    const group = resourceOf(stack, instance.properties.ReplicationSubnetGroupIdentifier, 'AWS::DMS::ReplicationSubnetGroup');
    readers.push({
      resource: instance,
      what: 'the DMS replication instance, whose endpoints read secrets,',
      subnets: listOf(group?.properties.SubnetIds),
      securityGroups: listOf(instance.properties.VpcSecurityGroupIds),
      publiclyAccessible: booleanOrUndecided(instance.properties.PubliclyAccessible) === true,
    });
  }
  return readers;
}

/** The interface endpoints of Secrets Manager with private DNS in a VPC of the stack. */
function secretsManagerEndpoints(stack: StackResources, vpcId: string): RenderedResource[] {
  return ofType(stack, 'AWS::EC2::VPCEndpoint').filter((e) => referencedId(e.properties.VpcId) === vpcId
    && e.properties.VpcEndpointType === 'Interface' && booleanOrUndecided(e.properties.PrivateDnsEnabled) === true
    && /(^|\.)secretsmanager(-fips)?$/.test(render(e.properties.ServiceName)));
}

/** The targets of a subnet's default route (0.0.0.0/0): 'nat', 'internet', or none. */
function defaultRoute(stack: StackResources, subnetId: string): 'nat' | 'internet' | undefined {
  const tables = ofType(stack, 'AWS::EC2::SubnetRouteTableAssociation')
    .filter((a) => referencedId(a.properties.SubnetId) === subnetId).map((a) => referencedId(a.properties.RouteTableId));
  const routes = ofType(stack, 'AWS::EC2::Route').filter((r) => tables.includes(referencedId(r.properties.RouteTableId))
    && r.properties.DestinationCidrBlock === '0.0.0.0/0');
  if (routes.some((r) => r.properties.NatGatewayId || r.properties.InstanceId || r.properties.TransitGatewayId
    || r.properties.NetworkInterfaceId)) return 'nat';
  return routes.some((r) => r.properties.GatewayId) ? 'internet' : undefined;
}

/** Whether an egress rule lets TCP 443 out to one of the destinations given. */
function lets443Out(rule: CfnProperties, destinations: { cidrs: string[]; groups: string[] }): boolean {
  const protocol = String(rule.IpProtocol);
  const portOk = protocol === '-1' || ((protocol === 'tcp' || protocol === '6')
    && Number(rule.FromPort) <= 443 && Number(rule.ToPort) >= 443);
  if (!portOk) return false;
  if (rule.CidrIp !== undefined) return rule.CidrIp === '0.0.0.0/0' || destinations.cidrs.includes(render(rule.CidrIp));
  if (rule.DestinationSecurityGroupId !== undefined) return destinations.groups.includes(referencedId(rule.DestinationSecurityGroupId) ?? '');
  return false;
}

/**
 * What keeps one reader from Secrets Manager, judged only on what the stack defines: subnets or a
 * VPC created elsewhere (imported) give no finding, nor do security groups created elsewhere.
 */
export function pathFindings(stack: StackResources, reader: SecretReader): PathFindings {
  const subnets = reader.subnets.map((s) => resourceOf(stack, s, 'AWS::EC2::Subnet'));
  if (subnets.length === 0 || subnets.some((s) => s === undefined)) return {};
  const vpcIds = [...new Set(subnets.map((s) => referencedId(s!.properties.VpcId)))];
  const vpc = vpcIds.length === 1 ? resourceOf(stack, { Ref: vpcIds[0] }, 'AWS::EC2::VPC') : undefined;
  if (!vpc) return {};
  const endpoints = secretsManagerEndpoints(stack, vpc.logicalId);
  const subnetsWithoutPath = endpoints.length > 0 ? [] : subnets.map((s) => s!.logicalId).filter((id) => {
    const route = defaultRoute(stack, id);
    return !(route === 'nat' || (route === 'internet' && reader.publiclyAccessible));
  });

  const groups = reader.securityGroups.map((g) => resourceOf(stack, g, 'AWS::EC2::SecurityGroup'));
  let groupsWithout443: string[] = [];
  if (groups.length > 0 && groups.every((g) => g !== undefined)) {
    const destinations = {
      cidrs: ['0.0.0.0/0', render({ 'Fn::GetAtt': [vpc.logicalId, 'CidrBlock'] }), ...(isLiteral(vpc.properties.CidrBlock) ? [vpc.properties.CidrBlock] : [])],
      groups: endpoints.flatMap((e) => listOf(e.properties.SecurityGroupIds).map((g) => referencedId(g) ?? '')),
    };
    const open = groups.some((group) => {
      const inline = group!.properties.SecurityGroupEgress;
      const separate = ofType(stack, 'AWS::EC2::SecurityGroupEgress')
        .filter((e) => referencedId(e.properties.GroupId) === group!.logicalId).map((e) => e.properties);
      // A group with no egress rule at all keeps the default one, which allows all outbound traffic.
      // CloudFormation strips that default when an egress rule is added, inline or as its own
      // resource (aws/aws-cdk#987, #998); AWS's pages say so only of inline rules, so this takes the
      // side that reports: separate rules are all the group allows.
      if (inline === undefined && separate.length === 0) return true;
      return [...[].concat(inline ?? []), ...separate].some((rule) => lets443Out(rule, destinations));
    });
    if (!open) groupsWithout443 = groups.map((g) => g!.logicalId);
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

/** The fix for security groups closed on 443, in words (Python spelling). */
export const NO_443_FIX = 'let TCP 443 out of one of its security groups to the endpoint\'s security group or the VPC '
  + 'CIDR (security_group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443)))';

/** One message for a reader's findings, or undefined when it can reach Secrets Manager. */
export function pathProblem(reader: SecretReader, findings: PathFindings): string | undefined {
  const parts: string[] = [];
  if (findings.subnetsWithoutPath) {
    parts.push(`${reader.what} sits in subnets ${findings.subnetsWithoutPath.join(', ')}, which have neither a Secrets Manager `
      + 'interface endpoint with private DNS nor a NAT route, so it cannot reach Secrets Manager');
  }
  if (findings.groupsWithout443) {
    parts.push(`${reader.what} has security groups ${findings.groupsWithout443.join(', ')}, none of which lets TCP 443 out `
      + 'to Secrets Manager (0.0.0.0/0, the VPC CIDR or the endpoint\'s security group)');
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
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
  const { subnetsWithoutPath, groupsWithout443 } = pathFindings(resources, reader);
  if (subnetsWithoutPath) {
    problems.add('NoPathToSecretsManager', `${pathProblem(reader, { subnetsWithoutPath })} (${ROTATION_NETWORK_SOURCE})`, NO_PATH_FIX);
  }
  if (groupsWithout443) {
    problems.add('SecretsManagerClosedOn443', pathProblem(reader, { groupsWithout443 })!, NO_443_FIX);
  }
}
