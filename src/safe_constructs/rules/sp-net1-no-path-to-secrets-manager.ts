import { Finding, Rule, judgeEach } from './rule';
import {
  DMS_ENDPOINT_SOURCE, DMS_SERVERLESS_SOURCE, ROTATION_NETWORK_SOURCE, noPathFix, pathFindings, pathProblem, secretReaders,
} from '../private/network-paths';

/** SP-NET1: what reads a secret sits in subnets with no way to Secrets Manager. */
export const secretReaderWithoutPath: Rule = {
  id: 'SP-NET1',
  summary: 'A function or DMS instance that reads a secret has no network path to Secrets Manager',
  explanation: 'A hosted rotation function, a rotation function of the Serverless Application Repository (an RDS '
    + 'database\'s add_rotation_single_user()), a VPC Lambda that reads a secret, or a DMS replication instance whose '
    + 'endpoints use SecretsManagerSecretId calls Secrets Manager from its subnets. Without a Secrets Manager interface '
    + 'endpoint (private DNS) in the VPC or a NAT route, the call times out: the rotation fails minutes after the deploy '
    + `(the most common rotation failure, ${ROTATION_NETWORK_SOURCE}), and DMS cannot read the endpoint credentials `
    + '(a private replication instance needs the endpoint since DMS 3.4.7). A DMS Serverless replication (AWS::DMS::ReplicationConfig) '
    + `reaches Secrets Manager only through an interface endpoint: a NAT route does not serve it (${DMS_SERVERLESS_SOURCE}). `
    + 'A rotation of the Serverless Application Repository given aws-cdk-lib\'s endpoint option calls that interface endpoint '
    + 'by its own URL (the function\'s endpoint parameter, aws-cdk-lib\'s secret-rotation.ts), so it needs no private DNS. '
    + 'A VPC, subnet or route of another stack of the app is followed through its export; subnets of imported VPCs are not judged.',
  fix: 'Add a Secrets Manager interface endpoint to the VPC (vpc.add_interface_endpoint("SecretsManager", '
    + 'service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)), or use subnets with a NAT route (PRIVATE_WITH_EGRESS)',
  source: DMS_ENDPOINT_SOURCE,
  check: (templates) => judgeEach(templates.stacks.flatMap((stack) => secretReaders(stack.resources)
    .map((reader) => ({ reader, resource: stack.resources.get(reader.resource.logicalId)! }))), ({ resource }) => resource,
  ({ reader, resource }): Finding[] => {
    const { subnetsWithoutPath } = pathFindings(templates.app, reader);
    const problem = subnetsWithoutPath && pathProblem(reader, { subnetsWithoutPath });
    return problem ? [{ resource, detail: problem, fix: noPathFix(reader) }] : [];
  }),
};
