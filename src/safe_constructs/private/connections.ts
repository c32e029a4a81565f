// Security group rules between a database and what connects to it, placed so that stacks depend one
// way: the rules go to the stack of what connects when the database is in another stack. Private.
import { Stack, Token, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Lets `peer` into `database` on the database's default port. In one stack this is aws-cdk-lib's
 * `allow_default_port_from`. With the database's security groups in another stack it would put the
 * ingress rule there, naming `peer`'s group: the database's stack would then depend on `peer`'s,
 * which already depends on it (the user waits for the database, the task for the target), and
 * aws-cdk-lib stops with DependencyCycle. So the rules go to `peer`'s stack instead (aws-cdk-lib's
 * own placement for a rule marked remote), and that stack alone depends on the database's.
 */
export function admitToDefaultPort(database: ec2.IConnectable, peer: ec2.IConnectable, description: string): void {
  const groups = database.connections.securityGroups;
  const peerGroups = peer.connections.securityGroups;
  const port = portFor(database, peer);
  if (!inAnotherStack(database, peer) || !port) {
    database.connections.allowDefaultPortFrom(peer, description);
    return;
  }
  for (const group of groups) {
    for (const peerGroup of peerGroups) {
      group.addIngressRule(peerGroup, port, description, true); // remote: made in peerGroup's stack
      if (!peerGroup.allowAllOutbound) peerGroup.addEgressRule(group, port, description);
    }
  }
}

/** Whether some security group of `database` is in another stack than one of `peer`'s. */
function inAnotherStack(database: ec2.IConnectable, peer: ec2.IConnectable): boolean {
  return database.connections.securityGroups.some((group) => peer.connections.securityGroups.some((peerGroup) =>
    Stack.of(group) !== Stack.of(peerGroup)));
}

/**
 * The port `peer` reaches `database` on: its default port, named as a number when the database is in
 * another stack and the number is known (see {@link literalPort}). In one stack it stays the database's
 * attribute, as it always was: a rule whose port is rendered otherwise gets a new logical id, and
 * CloudFormation would create the same rule again before deleting the old one.
 */
export function portFor(database: ec2.IConnectable, peer: ec2.IConnectable): ec2.Port | undefined {
  const port = database.connections.defaultPort;
  return port && inAnotherStack(database, peer) ? literalPort(database, port) : port;
}

/**
 * PostgreSQL's port when RDS picks it: "Default: 5432" (CreateDBInstance and CreateDBCluster, `Port`,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
 */
const POSTGRES_DEFAULT_PORT = 5432;

/**
 * A database's port as a number where it is known: the one its resource sets, or PostgreSQL's default
 * when it sets none. A rule in another stack then names the port itself rather than importing the
 * database's `Endpoint.Port`, which aws-cdk-lib's built-in validation reads as no port (E3687).
 */
function literalPort(database: ec2.IConnectable, port: ec2.Port): ec2.Port {
  const resource = Construct.isConstruct(database) ? database.node.defaultChild : undefined;
  if (!(resource instanceof rds.CfnDBInstance || resource instanceof rds.CfnDBCluster)) return port;
  const given = resource.port;
  if (given !== undefined && !Token.isUnresolved(given)) return ec2.Port.tcp(Number(given));
  const family = (database as { engine?: rds.IEngine }).engine?.engineFamily;
  return given === undefined && family === 'POSTGRESQL' ? ec2.Port.tcp(POSTGRES_DEFAULT_PORT) : port;
}
