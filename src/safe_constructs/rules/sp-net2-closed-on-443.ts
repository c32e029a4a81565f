import { Finding, Rule, judgeEach } from './rule';
import { NO_443_FIX, pathFindings, pathProblem, secretReaders } from '../private/network-paths';

/** SP-NET2: what reads a secret has security groups closed on TCP 443. */
export const secretReaderWithout443: Rule = {
  id: 'SP-NET2',
  summary: 'A function or DMS instance that reads a secret lets nothing out on TCP 443',
  explanation: 'Secrets Manager, through an interface endpoint or a NAT, answers on TCP 443. A security group with '
    + 'egress rules of its own (allow_all_outbound=False) and none to 0.0.0.0/0, the VPC CIDR or the endpoint\'s security '
    + 'group on 443 blocks the call, even where the endpoint exists. A group or VPC of another stack of the app is followed '
    + 'through its export; security groups created outside the app are not judged.',
  fix: 'Let TCP 443 out of one of its security groups to the endpoint\'s security group or the VPC CIDR',
  source: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
  check: (templates) => judgeEach(templates.stacks.flatMap((stack) => secretReaders(stack.resources)
    .map((reader) => ({ reader, resource: stack.resources.get(reader.resource.logicalId)! }))), ({ resource }) => resource,
  ({ reader, resource }): Finding[] => {
    const { groupsWithout443 } = pathFindings(templates.app, reader);
    const problem = groupsWithout443 && pathProblem(reader, { groupsWithout443 });
    return problem ? [{ resource, detail: problem, fix: NO_443_FIX }] : [];
  }),
};
