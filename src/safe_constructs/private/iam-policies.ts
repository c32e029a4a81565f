// The one reader of IAM policies in templates: what a role's statements are, and what they allow. Private.
import { CfnProperties, RenderedResource, StackResources, referencedId, render } from './cfn';

/** The statements of every policy attached to a role of the stack (inline and AWS::IAM::Policy). */
export function roleStatements(stack: StackResources, roleId: string): CfnProperties[] {
  const role = stack.get(roleId);
  const inline = (role?.properties.Policies ?? []).flatMap((p: CfnProperties) => [].concat(p.PolicyDocument?.Statement ?? []));
  const attached = [...stack.values()]
    .filter((r) => r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::RolePolicy')
    .filter((r) => [].concat(r.properties.Roles ?? r.properties.RoleName ?? []).some((ref) => referencedId(ref) === roleId))
    .flatMap((r) => [].concat(r.properties.PolicyDocument?.Statement ?? []));
  return [...inline, ...attached];
}

export function readsSecrets(statements: CfnProperties[]): boolean {
  return statements.some((s) => s.Effect === 'Allow' && [].concat(s.Action ?? [])
    .some((a: string) => a === '*' || a === 'secretsmanager:*' || a === 'secretsmanager:GetSecretValue'));
}

/** Whether an Allow statement among `statements` grants `action` on a resource matching `resource`. */
export function grants(statements: CfnProperties[], action: string, resource: unknown): boolean {
  const [service] = action.split(':');
  const wanted = render(resource);
  return statements.some((s) => s.Effect === 'Allow'
    && [].concat(s.Action ?? []).some((a: string) => a === '*' || a === `${service}:*` || a === action)
    && [].concat(s.Resource ?? []).some((r) => {
      const granted = render(r);
      return granted === '*' || granted === wanted || granted === `${wanted}-??????` || granted === `${wanted}*`;
    }));
}

/** The service principals a role's trust policy allows to assume it, as rendered text. */
export function trustedServices(role: RenderedResource): string[] {
  return [].concat(role.properties.AssumeRolePolicyDocument?.Statement ?? [])
    .filter((s: CfnProperties) => s.Effect === 'Allow')
    .flatMap((s: CfnProperties) => [].concat(s.Principal?.Service ?? []).map(render));
}
