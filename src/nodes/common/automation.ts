// Shared by the automation nodes (group control, scene trigger, rule sync, scheduler): input errors that
// name the node, action choice, and applying a list of changes one by one with an honest report when
// one of them fails part-way.
import { GizwitsError } from '../../client';

/** A bad-input error: nothing has been sent when it is thrown. */
export function inputError(type: string, message: string): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', message: `${type}: ${message}` });
}

/** Re-labels a client validation error with the node's name, keeping its code. */
export function withNodeName(type: string, error: unknown, context = ''): unknown {
  if (!(error instanceof GizwitsError) || error.code !== 'INVALID_PARAMS') return error;
  return inputError(type, `${context}${error.message}`);
}

export function nonEmptyText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The action of a message (when the node takes one from msg.action) or of the configuration. */
export function chooseAction<T extends string>(
  type: string,
  fromMessage: unknown,
  configured: unknown,
  allowed: readonly T[],
): T {
  const action =
    fromMessage !== undefined && fromMessage !== null && fromMessage !== '' ? fromMessage : configured;
  const chosen = action === undefined || action === '' ? allowed[0] : action;
  if (typeof chosen !== 'string' || !(allowed as readonly string[]).includes(chosen))
    throw inputError(type, `unknown action ${JSON.stringify(chosen)}: use one of ${allowed.join(', ')}`);
  return chosen as T;
}

/** Seconds from a configuration field, or the fallback when it is empty or not a positive number. */
export function secondsOf(value: unknown, fallback: number): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

export interface PlannedChange<S> {
  /** What the change does, for reports: `create "night light"`. */
  label: string;
  run(): Promise<void>;
  /** Whether the cloud, as read again after a failure, shows this change in effect. */
  inEffect(snapshot: S): boolean;
}

/** How one kind of cloud item (a rule, a schedule) is named, compared, created, updated and deleted. */
export interface SyncKind<T> {
  /** The item's name in reports: a rule's name, a schedule's remark. */
  name(item: T): string;
  /** The item's id in reports and in the deleted-check. */
  id(item: T): string | number | undefined;
  /** Whether `now` holds an item equal to `item`. */
  sameIn(item: T, now: T[]): boolean;
  create(item: T): Promise<void>;
  update(item: T): Promise<void>;
  remove(item: T): Promise<void>;
}

/** The ordered changes of a plan (creates, then updates, then deletes) for {@link applyInOrder}. */
export function plannedChanges<T>(
  plan: { create: T[]; update: T[]; delete: T[] },
  kind: SyncKind<T>,
): PlannedChange<T[]>[] {
  return [
    ...plan.create.map((item) => ({
      label: `create "${kind.name(item)}"`,
      run: () => kind.create(item),
      inEffect: (now: T[]) => kind.sameIn(item, now),
    })),
    ...plan.update.map((item) => ({
      label: `update "${kind.name(item)}" (id ${kind.id(item)})`,
      run: () => kind.update(item),
      inEffect: (now: T[]) => kind.sameIn(item, now),
    })),
    ...plan.delete.map((item) => ({
      label: `delete "${kind.name(item)}" (id ${kind.id(item)})`,
      run: () => kind.remove(item),
      inEffect: (now: T[]) => !now.some((current) => kind.id(current) === kind.id(item)),
    })),
  ];
}

export interface ApplyReport {
  applied: string[];
  notApplied: string[];
  /** Changes whose effect could not be confirmed after a failure. */
  unknown: string[];
}

/**
 * Runs the changes in order. When one fails, reads the cloud again (`reread`) to learn which of the
 * remaining changes are nevertheless in effect (a timed-out call may have succeeded), and throws an error
 * that lists what was applied and what was not, so that nothing is left half-known.
 */
export async function applyInOrder<S>(
  type: string,
  changes: PlannedChange<S>[],
  reread: () => Promise<S>,
): Promise<void> {
  let done = 0;
  try {
    for (const change of changes) {
      await change.run();
      done++;
    }
  } catch (cause) {
    const applied = changes.slice(0, done).map((c) => c.label);
    const rest = changes.slice(done);
    const report: ApplyReport = { applied, notApplied: [], unknown: [] };
    let confirmation = '';
    try {
      const snapshot = await reread();
      for (const change of rest)
        (change.inEffect(snapshot) ? report.applied : report.notApplied).push(change.label);
      confirmation = ' (checked by reading the cloud again)';
    } catch (error) {
      report.notApplied.push(...rest.slice(1).map((c) => c.label));
      report.unknown.push(rest[0].label);
      confirmation = ` (reading the cloud again failed too: ${(error as Error).message}; run again to see its state)`;
    }
    const reason = (cause as Error).message;
    const list = (labels: string[]) => (labels.length ? labels.join(', ') : 'none');
    throw Object.assign(
      new GizwitsError({
        code: cause instanceof GizwitsError ? cause.code : 'BAD_RESPONSE',
        status: cause instanceof GizwitsError ? cause.status : undefined,
        message:
          `${type}: ${changes[done].label} failed: ${reason}. Applied: ${list(report.applied)}. ` +
          `Not applied: ${list(report.notApplied)}.` +
          (report.unknown.length ? ` Unknown: ${list(report.unknown)}.` : '') +
          confirmation,
      }),
      { report },
    );
  }
}
