// The interface endpoints a construct finds in its VPC, or adds to it. Private.
import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { render } from './cfn';

/**
 * The Secrets Manager interface endpoint of a VPC of this app, or a new one in the given subnets (a
 * second endpoint with private DNS for one service in one VPC fails to deploy).
 */
export function secretsManagerEndpointOf(scope: Construct, vpc: ec2.IVpc, subnets?: ec2.SubnetSelection): ec2.IInterfaceVpcEndpoint {
  const existing = vpc.node.children.find((child): child is ec2.InterfaceVpcEndpoint =>
    child instanceof ec2.InterfaceVpcEndpoint && /\.secretsmanager$/.test(render(Stack.of(child).resolve(
      (child.node.defaultChild as ec2.CfnVPCEndpoint).serviceName))));
  return existing ?? new ec2.InterfaceVpcEndpoint(scope, 'SecretsManagerEndpoint', {
    vpc, subnets, service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, open: false,
  });
}
