import { RDS_CLUSTER_MAX_PASSWORD_LENGTH, rdsMaxPasswordLength, rdsRejectedPasswordCharacters } from './private/passwords';

/**
 * What RDS accepts as a master password, for a hand-made `SecretPreflightCheck`
 * (`rejected_password_characters`, `min_password_length`, `max_password_length`).
 */
export interface RdsPasswordLimits {
  /** The characters RDS rejects in the password. */
  readonly rejectedCharacters: string;
  /** The shortest password RDS accepts. */
  readonly minLength: number;
  /** The longest password RDS accepts. */
  readonly maxLength: number;
}

/**
 * The master password rules of RDS, per engine, as its API reference states them: any printable
 * ASCII character except `/ " @` (Oracle also `& '`), 8 characters at least; at most 41 for MySQL
 * and MariaDB instances, 30 for Oracle, 255 for Db2, 128 for the others, and 41 for every DB cluster.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export class RdsPasswordRules {
  /** The rules for a DB instance of an engine (`engine.engine_type`, such as "postgres"). */
  public static forInstance(engineType: string): RdsPasswordLimits {
    return { rejectedCharacters: rdsRejectedPasswordCharacters(engineType), minLength: 8, maxLength: rdsMaxPasswordLength(engineType) };
  }

  /** The rules for a DB cluster (Aurora, or a Multi-AZ DB cluster), whatever its engine. */
  public static forCluster(): RdsPasswordLimits {
    return { rejectedCharacters: rdsRejectedPasswordCharacters('aurora'), minLength: 8, maxLength: RDS_CLUSTER_MAX_PASSWORD_LENGTH };
  }

  private constructor() {}
}
