import {
  DMS_ENDPOINT_SOURCE, NO_443_FIX, NO_PATH_FIX, ROTATION_NETWORK_SOURCE, pathFindings, pathProblem, secretReaders,
} from '../network-paths';
import { Finding, Rule, Templates } from './rule';

/** SP-NET1: what reads a secret sits in subnets with no way to Secrets Manager. */
export const secretReaderWithoutPath: Rule = {
  id: 'SP-NET1',
  summary: 'A function or DMS instance that reads a secret has no network path to Secrets Manager',
  explanation: 'A hosted rotation function, a VPC Lambda that reads a secret, or a DMS replication instance whose '
    + 'endpoints use SecretsManagerSecretId calls Secrets Manager from its subnets. Without a Secrets Manager interface '
    + 'endpoint (private DNS) in the VPC or a NAT route, the call times out: the rotation fails minutes after the deploy '
    + `(the most common rotation failure, ${ROTATION_NETWORK_SOURCE}), and DMS cannot read the endpoint credentials `
    + '(a private replication instance needs the endpoint since DMS 3.4.7). Subnets of imported VPCs are not judged.',
  fix: 'Add a Secrets Manager interface endpoint to the VPC (vpc.add_interface_endpoint("SecretsManager", '
    + 'service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)), or use subnets with a NAT route (PRIVATE_WITH_EGRESS)',
  source: DMS_ENDPOINT_SOURCE,
  check: (templates: Templates): Finding[] => templates.stacks.flatMap((stack) => secretReaders(stack.resources)
    .flatMap((reader): Finding[] => {
      const { subnetsWithoutPath } = pathFindings(stack.resources, reader);
      const problem = subnetsWithoutPath && pathProblem(reader, { subnetsWithoutPath });
      return problem ? [{ resource: stack.resources.get(reader.resource.logicalId)!, detail: `${problem}; fix: ${NO_PATH_FIX}` }] : [];
    })),
};

/** SP-NET2: what reads a secret has security groups closed on TCP 443. */
export const secretReaderWithout443: Rule = {
  id: 'SP-NET2',
  summary: 'A function or DMS instance that reads a secret lets nothing out on TCP 443',
  explanation: 'Secrets Manager, through an interface endpoint or a NAT, answers on TCP 443. A security group with '
    + 'egress rules of its own (allow_all_outbound=False) and none to 0.0.0.0/0, the VPC CIDR or the endpoint\'s security '
    + 'group on 443 blocks the call, even where the endpoint exists. Security groups created elsewhere are not judged.',
  fix: 'Let TCP 443 out of one of its security groups to the endpoint\'s security group or the VPC CIDR',
  source: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
  check: (templates: Templates): Finding[] => templates.stacks.flatMap((stack) => secretReaders(stack.resources)
    .flatMap((reader): Finding[] => {
      const { groupsWithout443 } = pathFindings(stack.resources, reader);
      const problem = groupsWithout443 && pathProblem(reader, { groupsWithout443 });
      return problem ? [{ resource: stack.resources.get(reader.resource.logicalId)!, detail: `${problem}; fix: ${NO_443_FIX}` }] : [];
    })),
};
