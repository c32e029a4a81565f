import {
  Annotations, RemovalPolicy, Stack,
  aws_dms as dms,
  aws_ec2 as ec2,
  aws_kms as kms,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { render, renderedStack } from './cfn-values';
import { DmsAccountRoles } from './dms-account-roles';
import { ID_PREFIX, Problems, errorMessage, propName, show } from './internal';
import { cdcSourceFindings, secretReaderErrors } from './network-paths';
import { SecureDmsPostgresEndpoint } from './secure-dms-postgres-endpoint';

/** What the task migrates. */
export enum DmsMigrationType {
  /** The existing data, once. */
  FULL_LOAD = 'full-load',
  /** Ongoing changes only (needs logical replication on the source). */
  CDC = 'cdc',
  /** The existing data, then ongoing changes (needs logical replication on the source). */
  FULL_LOAD_AND_CDC = 'full-load-and-cdc',
}

/**
 * How DMS migrates large objects (PostgreSQL `text`, `jsonb`, `bytea` and the like).
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.TargetMetadata.html
 */
export enum DmsLobMode {
  /** Every value whole, however large: slower, loses nothing. */
  FULL = 'FULL',
  /** Values up to `lobMaxSizeKb`: faster, and longer values are truncated. */
  LIMITED = 'LIMITED',
}

/**
 * What DMS does to a target table that already exists when the full load starts.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.FullLoad.html
 */
export enum DmsTargetTablePrep {
  /** Leave the table and its rows; load into it. Loses nothing. */
  DO_NOTHING = 'DO_NOTHING',
  /** Delete the table's rows first, keeping its definition. */
  TRUNCATE_BEFORE_LOAD = 'TRUNCATE_BEFORE_LOAD',
  /** Drop the table and create it anew: its rows, indexes and grants are lost. */
  DROP_AND_CREATE = 'DROP_AND_CREATE',
}

/** Whether the construct creates DMS's account-wide roles or uses the ones the account has. */
export enum DmsAccountRolesMode {
  /**
   * Use `dms-vpc-role` and `dms-cloudwatch-logs-role` as the account has them (the console makes
   * them when DMS is first used there). Works in any account that already has them.
   */
  EXISTING = 'EXISTING',
  /**
   * Create them (`DmsAccountRoles`): once per account; fails where they exist.
   */
  CREATE = 'CREATE',
}

/**
 * Properties of a {@link PostgresReplication}.
 */
export interface PostgresReplicationProps {
  /** The endpoint DMS reads from. */
  readonly source: SecureDmsPostgresEndpoint;

  /** The endpoint DMS writes to. */
  readonly target: SecureDmsPostgresEndpoint;

  /** The VPC the replication instance runs in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the replication instance runs (two Availability Zones at least).
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** The source database, which the replication instance is let into on its default port. */
  readonly sourceDatabase: ec2.IConnectable;

  /** The target database, which the replication instance is let into, and which the task waits for. */
  readonly targetDatabase: ec2.IConnectable;

  /** What the task migrates. CDC needs `rds.logical_replication` set to 1 on the source. */
  readonly migrationType: DmsMigrationType;

  /** The schemas to migrate, every table of each. */
  readonly schemas: string[];

  /**
   * How large values are migrated. `LIMITED` truncates values over `lobMaxSizeKb`: choose it only
   * knowing the data.
   *
   * @default DmsLobMode.FULL
   */
  readonly lobMode?: DmsLobMode;

  /**
   * The largest value migrated whole in `LIMITED` mode, in KB; required with it.
   *
   * @default - none
   */
  readonly lobMaxSizeKb?: number;

  /**
   * What DMS does to target tables that exist when the full load starts.
   *
   * @default DmsTargetTablePrep.DO_NOTHING
   */
  readonly targetTablePrep?: DmsTargetTablePrep;

  /**
   * Where the replication instance reaches Secrets Manager (it reads the endpoints' secrets).
   * Pass the endpoint of an imported VPC that has one: a second Secrets Manager endpoint with
   * private DNS in the same VPC fails to deploy.
   *
   * @default - a Secrets Manager interface endpoint of the VPC defined in this app, or a new one
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * Whether to create DMS's account-wide roles or use the account's.
   *
   * @default DmsAccountRolesMode.EXISTING
   */
  readonly accountRoles?: DmsAccountRolesMode;

  /**
   * The replication instance class.
   *
   * @default "dms.t3.medium"
   */
  readonly replicationInstanceClass?: string;

  /**
   * The replication instance's storage, in GB (it holds cached changes and logs).
   *
   * @default 50
   */
  readonly allocatedStorage?: number;

  /**
   * Whether the replication instance has a standby in another Availability Zone.
   *
   * @default false
   */
  readonly multiAz?: boolean;

  /**
   * The KMS key that encrypts the replication instance's storage.
   *
   * @default - DMS's AWS managed key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Resources the task waits for, such as the `PostgresDatabaseUser`s DMS logs in as.
   *
   * @default - none
   */
  readonly dependsOn?: IConstruct[];
}

/**
 * A DMS replication of one PostgreSQL database into another: the replication instance (encrypted,
 * private), its subnet group and security group, exactly the network paths it needs, and the task,
 * with explicit settings.
 *
 * The security group lets out only the two databases' ports and 443 to the Secrets Manager
 * endpoint. The task's LOB mode defaults to FULL (nothing truncated) and its target preparation to
 * DO_NOTHING (nothing dropped). CDC from a source of the app whose parameter group does not set
 * `rds.logical_replication` to 1 is refused at synth; for a source outside the app it is the
 * operator's to check. CloudFormation creates the task but does not start it: start it with
 * `aws dms start-replication-task` once the stack is deployed.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html
 */
export class PostgresReplication extends Construct {
  /** The replication instance. */
  public readonly replicationInstance: dms.CfnReplicationInstance;

  /** The replication task. */
  public readonly task: dms.CfnReplicationTask;

  /** The replication instance's security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The account roles, when this construct creates them. */
  public readonly accountRoles?: DmsAccountRoles;

  constructor(scope: Construct, id: string, props: PostgresReplicationProps) {
    super(scope, id);
    const lobMode = props.lobMode ?? DmsLobMode.FULL;
    this.validate(props, lobMode);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, allowAllOutbound: false, description: 'DMS replication instance: the two databases and Secrets Manager',
    });
    for (const [database, what] of [[props.sourceDatabase, 'source'], [props.targetDatabase, 'target']] as const) {
      const port = database.connections.defaultPort;
      if (port) {
        database.connections.allowDefaultPortFrom(this.securityGroup, `DMS reads and writes the ${what}`);
        this.securityGroup.connections.allowTo(database, port, `DMS to the ${what} database`);
      }
    }
    const endpoint = props.secretsManagerEndpoint ?? secretsManagerEndpointOf(this, props.vpc, props.vpcSubnets);
    this.securityGroup.connections.allowTo(endpoint, ec2.Port.tcp(443), 'DMS reads the endpoint secrets');

    const subnets = new dms.CfnReplicationSubnetGroup(this, 'Subnets', {
      replicationSubnetGroupDescription: `${this.node.path}: DMS replication`,
      subnetIds: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
    });
    this.replicationInstance = new dms.CfnReplicationInstance(this, 'Instance', {
      replicationInstanceClass: props.replicationInstanceClass ?? 'dms.t3.medium',
      allocatedStorage: props.allocatedStorage ?? 50,
      kmsKeyId: props.encryptionKey?.keyArn,
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      replicationSubnetGroupIdentifier: subnets.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
    });
    this.replicationInstance.applyRemovalPolicy(RemovalPolicy.DESTROY); // it holds no data of its own
    if ((props.accountRoles ?? DmsAccountRolesMode.EXISTING) === DmsAccountRolesMode.CREATE) {
      this.accountRoles = new DmsAccountRoles(this, 'AccountRoles');
      subnets.node.addDependency(this.accountRoles);
      this.replicationInstance.node.addDependency(this.accountRoles);
    }

    this.task = new dms.CfnReplicationTask(this, 'Task', {
      migrationType: props.migrationType,
      replicationInstanceArn: this.replicationInstance.ref,
      sourceEndpointArn: props.source.endpointArn,
      targetEndpointArn: props.target.endpointArn,
      tableMappings: Stack.of(this).toJsonString({
        rules: props.schemas.map((schema, i) => ({
          'rule-type': 'selection',
          'rule-id': String(i + 1),
          'rule-name': `include-${schema}`,
          'rule-action': 'include',
          'object-locator': { 'schema-name': schema, 'table-name': '%' },
        })),
      }),
      replicationTaskSettings: Stack.of(this).toJsonString({
        TargetMetadata: {
          SupportLobs: true,
          FullLobMode: lobMode === DmsLobMode.FULL,
          LobChunkSize: lobMode === DmsLobMode.FULL ? 64 : 0,
          LimitedSizeLobMode: lobMode === DmsLobMode.LIMITED,
          LobMaxSize: lobMode === DmsLobMode.LIMITED ? props.lobMaxSizeKb : 0,
        },
        FullLoadSettings: { TargetTablePrepMode: props.targetTablePrep ?? DmsTargetTablePrep.DO_NOTHING },
        Logging: { EnableLogging: true },
      }),
    });
    // The task waits for what it writes to: the target database (when it is a construct) and the users.
    const waitsFor = [props.targetDatabase, ...(props.dependsOn ?? [])].filter((c): c is IConstruct => Construct.isConstruct(c));
    this.task.node.addDependency(...waitsFor);
    this.node.addValidation({ validate: () => this.validateAtSynth() });
    if (props.targetTablePrep === DmsTargetTablePrep.DROP_AND_CREATE) {
      Annotations.of(this).addWarningV2(`${ID_PREFIX}:targetTablesDropped`,
        'target_table_prep (targetTablePrep) is DROP_AND_CREATE: a target table that exists when the full load starts is '
        + 'dropped with its rows');
    }
  }

  private validate(props: PostgresReplicationProps, lobMode: DmsLobMode): void {
    const problems = new Problems(this);
    if (props.schemas.length === 0 || props.schemas.some((schema) => !/^[A-Za-z_%][A-Za-z0-9_%$]{0,62}$/.test(schema))) {
      problems.prop('SchemasInvalid', 'schemas', `must name at least one schema (letters, digits, underscores; % matches any), got: ${show(JSON.stringify(props.schemas))}`,
        'give the schemas to migrate, for example ["payments"]');
    }
    if (lobMode === DmsLobMode.LIMITED && props.lobMaxSizeKb === undefined) {
      problems.prop('LobMaxSizeMissing', 'lobMaxSizeKb', 'is required with lob_mode (lobMode) LIMITED, which truncates longer values, and none was given',
        'give the size of the largest value in KB, or use DmsLobMode.FULL (the default) to truncate nothing');
    }
    if (props.lobMaxSizeKb !== undefined) {
      if (lobMode !== DmsLobMode.LIMITED) {
        problems.prop('LobMaxSizeUnused', 'lobMaxSizeKb', `is used only with lob_mode (lobMode) LIMITED, got lob_mode: ${lobMode}`,
          'remove lob_max_size_kb, or choose DmsLobMode.LIMITED');
      } else {
        problems.integerInRange('LobMaxSizeOutOfRange', 'lobMaxSizeKb', props.lobMaxSizeKb, 1, 102400,
          'give a size in KB from 1 to 102400 (100 MB)');
      }
    }
    problems.throwIfAny();
  }

  /** At synth: CDC from a source of the stack needs logical replication, and the instance a path to Secrets Manager. */
  private validateAtSynth(): string[] {
    const stack = Stack.of(this);
    const taskId = stack.resolve(this.task.logicalId);
    const errors = cdcSourceFindings(renderedStack(stack))
      .filter((f) => f.task.logicalId === taskId && f.problem === 'missing')
      .map((f) => errorMessage('CdcWithoutLogicalReplication', undefined,
        `${propName('migrationType')} is ${this.task.migrationType}, and the source database ${f.database.logicalId} has no parameter `
        + 'group that sets rds.logical_replication to 1, so the task fails when change data capture starts',
        'give the source database a parameter group with {"rds.logical_replication": "1"} while it is new (the parameter '
        + 'is static: an existing instance applies it after a reboot), or use DmsMigrationType.FULL_LOAD'));
    return [...errors, ...secretReaderErrors(this.replicationInstance)];
  }
}

/** The Secrets Manager interface endpoint of a VPC of this app, or a new one in the given subnets. */
function secretsManagerEndpointOf(scope: Construct, vpc: ec2.IVpc, subnets?: ec2.SubnetSelection): ec2.IInterfaceVpcEndpoint {
  const existing = vpc.node.children.find((child): child is ec2.InterfaceVpcEndpoint =>
    child instanceof ec2.InterfaceVpcEndpoint && /\.secretsmanager$/.test(render(Stack.of(child).resolve(
      (child.node.defaultChild as ec2.CfnVPCEndpoint).serviceName))));
  return existing ?? new ec2.InterfaceVpcEndpoint(scope, 'SecretsManagerEndpoint', {
    vpc, subnets, service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, open: false,
  });
}
