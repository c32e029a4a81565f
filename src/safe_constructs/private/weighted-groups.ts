// The one model of a Route 53 weighted group, read by WeightedAliasRecord (from the construct
// tree) and by the SP-R53 rules (from templates). Private.
import type { TemplateResource, Templates } from './templates';

/** One record set, as both readers see it: CloudFormation values, resolved. */
export interface RecordView<T> {
  /** What the reader reports on (a construct, a template resource). */
  readonly ref: T;
  /** `HostedZoneId` (or `HostedZoneName`): a string, or an intrinsic function. */
  readonly zone: unknown;
  readonly name: unknown;
  readonly type: unknown;
  readonly setIdentifier?: unknown;
  readonly weight?: unknown;
  /** The stack's path, which scopes a zone given by an intrinsic function. */
  readonly stackPath: string;
}

/** What is wrong with one group (same zone, name and type). */
export interface GroupFindings<T> {
  /** The group as a message names it: `pay.example.com. (A)`. */
  readonly group: string;
  /** Records without a set identifier beside weighted ones: Route 53 rejects the mix. */
  readonly plainBesideWeighted: T[];
  /** Set identifiers used more than once, each with its records in order. */
  readonly duplicateIdentifiers: Array<{ identifier: string; records: T[] }>;
  /** Whether every weighted record has weight 0 (documented as equal routing for non-alias records only). */
  readonly allWeightsZero: boolean;
}

/** Whether a resolved value is a literal string (not an intrinsic function). */
function literal(value: unknown): value is string {
  return typeof value === 'string';
}

/**
 * Where Route 53 groups a record: zone, name and type; undefined when the name or type is not known
 * at synth time. A zone given by an intrinsic function is scoped to its stack.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-route53-recordset.html
 */
function groupKey(record: RecordView<unknown>): string | undefined {
  if (!literal(record.name) || !literal(record.type) || record.zone === undefined) return undefined;
  const zone = literal(record.zone) ? record.zone : `${record.stackPath}:${JSON.stringify(record.zone)}`;
  return `${zone}|${record.name.toLowerCase().replace(/\.?$/, '.')}|${record.type}`;
}

/** Whether a record is weighted: it has a non-empty set identifier. */
export function isWeighted(record: RecordView<unknown>): boolean {
  return record.setIdentifier !== undefined && record.setIdentifier !== '';
}

/** The records grouped by zone, name and type; records whose group is unknown are left out. */
export function groupRecords<T>(records: Array<RecordView<T>>): Array<Array<RecordView<T>>> {
  const groups = new Map<string, Array<RecordView<T>>>();
  for (const record of records) {
    const key = groupKey(record);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()];
}

/** Judges one group (records of the same zone, name and type). */
export function judgeGroup<T>(members: Array<RecordView<T>>): GroupFindings<T> {
  const weighted = members.filter(isWeighted);
  const byIdentifier = new Map<string, T[]>();
  for (const record of weighted) {
    if (!literal(record.setIdentifier)) continue;
    byIdentifier.set(record.setIdentifier, [...(byIdentifier.get(record.setIdentifier) ?? []), record.ref]);
  }
  return {
    group: `${members[0].name} (${members[0].type})`,
    plainBesideWeighted: weighted.length > 0 ? members.filter((m) => !isWeighted(m)).map((m) => m.ref) : [],
    duplicateIdentifiers: [...byIdentifier.entries()]
      .filter(([, records]) => records.length > 1)
      .map(([identifier, records]) => ({ identifier, records })),
    allWeightsZero: weighted.length > 0 && weighted.every((m) => m.weight === 0 || m.weight === '0'),
  };
}

/** Every Route 53 record set of the templates, as the weighted-group model reads it. */
export function recordViews(templates: Templates): Array<RecordView<TemplateResource>> {
  return templates.ofType('AWS::Route53::RecordSet').map((record) => {
    const p = record.properties;
    return {
      ref: record,
      stackPath: record.template.stackPath,
      zone: p.HostedZoneId ?? p.HostedZoneName,
      name: p.Name,
      type: p.Type,
      setIdentifier: p.SetIdentifier,
      weight: p.Weight,
    };
  });
}
