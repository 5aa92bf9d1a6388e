// Shared by the automation nodes (group control, scene trigger, rule sync, scheduler): input errors that
// name the node, action choice, and applying a list of changes one by one with an honest report when
// one of them fails part-way. Every error is a text of the client's catalogue (its English message is the
// en-US rendering), so that a Catch node can be told it in Chinese.
import { GizwitsError, keyed } from './errors';
import type { ErrorText } from './messages';

/** A fragment of a message and its catalogue text, as `keyed` gives them; no text, no words. */
export interface Worded {
  message: string;
  text?: ErrorText;
}

/** No fragment at all: `''`, which needs no translation. */
export const NOTHING: Worded = { message: '' };

/** A fragment as a parameter of an enclosing text: its text, or `''` for none. */
function partOf(fragment: Worded): ErrorText | string {
  return fragment.text ?? fragment.message;
}

/** An error as a parameter of an enclosing text: its text, or the words of an error that has none. */
function reasonOf(error: unknown): ErrorText | string {
  return textOf(error) ?? (error instanceof Error ? error.message : String(error));
}

/** A bad-input error: nothing has been sent when it is thrown. */
export function inputError(type: string, detail: Worded): GizwitsError {
  return new GizwitsError({
    code: 'INVALID_PARAMS',
    ...keyed('node.input', { type, detail: partOf(detail) }),
  });
}

/**
 * A bad-input error made of another (a client validation error), labelled with the node's name and a
 * context such as `task #2: `.
 */
export function wrappedInputError(type: string, error: unknown, context: Worded = NOTHING): GizwitsError {
  return new GizwitsError({
    code: 'INVALID_PARAMS',
    ...keyed('node.wrapped', { type, where: partOf(context), inner: reasonOf(error) }),
  });
}

/** Re-labels a client validation error with the node's name, keeping its code. */
export function withNodeName(type: string, error: unknown, context: Worded = NOTHING): unknown {
  if (!(error instanceof GizwitsError) || error.code !== 'INVALID_PARAMS') return error;
  return wrappedInputError(type, error, context);
}

/** The catalogue text of an error's message (the client gives cloud codes theirs); none for others. */
export function textOf(error: unknown): ErrorText | undefined {
  return error instanceof GizwitsError ? error.text : undefined;
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
    throw inputError(
      type,
      keyed('node.unknownAction', { action: String(JSON.stringify(chosen)), actions: allowed.join(', ') }),
    );
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
  /** The label's catalogue text. */
  text: ErrorText;
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
  const named = (verb: 'create' | 'update' | 'delete', item: T) => {
    const name = kind.name(item);
    const id = String(kind.id(item));
    return verb === 'create'
      ? keyed('node.change.create', { name })
      : keyed(`node.change.${verb}`, { name, id });
  };
  const change = (verb: 'create' | 'update' | 'delete', item: T) => {
    const { message, text } = named(verb, item);
    return { label: message, text };
  };
  return [
    ...plan.create.map((item) => ({
      ...change('create', item),
      run: () => kind.create(item),
      inEffect: (now: T[]) => kind.sameIn(item, now),
    })),
    ...plan.update.map((item) => ({
      ...change('update', item),
      run: () => kind.update(item),
      inEffect: (now: T[]) => kind.sameIn(item, now),
    })),
    ...plan.delete.map((item) => ({
      ...change('delete', item),
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

/** A list of changes for a report: their labels joined by commas, or `none`. */
function listOf(changes: Array<{ label: string; text: ErrorText }>): Worded & { text: ErrorText } {
  if (changes.length === 0) return keyed('node.list.none', {});
  const [first, ...rest] = changes;
  if (rest.length === 0) return { message: first.label, text: first.text };
  const tail = listOf(rest);
  return keyed('node.list.more', { first: first.text, rest: tail.text });
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
    const applied = changes.slice(0, done);
    const notApplied: PlannedChange<S>[] = [];
    const unknown: PlannedChange<S>[] = [];
    const rest = changes.slice(done);
    let confirmation: Worded;
    try {
      const snapshot = await reread();
      for (const change of rest) (change.inEffect(snapshot) ? applied : notApplied).push(change);
      confirmation = keyed('node.checked', {});
    } catch (error) {
      notApplied.push(...rest.slice(1));
      unknown.push(rest[0]);
      confirmation = keyed('node.recheckFailed', { reason: reasonOf(error) });
    }
    const labels = (list: PlannedChange<S>[]) => list.map((c) => c.label);
    const report: ApplyReport = {
      applied: labels(applied),
      notApplied: labels(notApplied),
      unknown: labels(unknown),
    };
    const unknownPart: Worded = unknown.length
      ? keyed('node.unconfirmed', { list: listOf(unknown).text })
      : NOTHING;
    throw Object.assign(
      new GizwitsError({
        code: cause instanceof GizwitsError ? cause.code : 'BAD_RESPONSE',
        status: cause instanceof GizwitsError ? cause.status : undefined,
        ...keyed('node.applyFailed', {
          type,
          change: changes[done].text,
          reason: reasonOf(cause),
          applied: listOf(applied).text,
          notApplied: listOf(notApplied).text,
          unconfirmed: partOf(unknownPart),
          confirmation: partOf(confirmation),
        }),
      }),
      { report },
    );
  }
}
