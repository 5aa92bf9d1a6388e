// How a rule's problem is worded: the rule (by name or number) and the field, then what is wrong, all as
// keys of the client's catalogue (`rule.*`), so that parse and check word alike.
import { GizwitsError, keyed, type ErrorText } from '../errors';
import { isObject } from '../socket-frames';

export type Json = Record<string, unknown>;

export const RULE_EVENTS = ['online', 'offline', 'alert', 'fault', 'data'] as const;
export const RULE_OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
/** The operators that compare numbers only. */
export const ORDERING = new Set(['>', '>=', '<', '<=']);

/** What is wrong, in English and as a key of the nodes' error catalogue (`rule.*`). */
type Problem = { message: string; text: ErrorText };

export function invalid(problem: Problem): GizwitsError {
  return new GizwitsError({ code: 'INVALID_PARAMS', ...problem });
}

/** An event's name inside a text (`alert` points), translated where the catalogue has it. */
export function eventName(event: unknown): string | ErrorText {
  return event === 'alert' || event === 'fault' ? { key: `rule.eventName.${event}` } : String(event);
}

export class RuleProblem {
  constructor(
    private readonly rule: unknown,
    private readonly index: number,
  ) {}

  /** The problem of one field (`''`: of the rule itself), prefixed with the rule's name and number. */
  error(field: string, problem: Problem): GizwitsError {
    const raw = isObject(this.rule) && typeof this.rule.name === 'string' ? this.rule.name.trim() : '';
    const number = this.index + 1;
    const where = raw
      ? keyed('rule.where.named', { name: raw, number })
      : keyed('rule.where.numbered', { number });
    return invalid(
      field
        ? keyed('rule.at', { where: where.text, field, problem: problem.text })
        : keyed('rule.atRule', { where: where.text, problem: problem.text }),
    );
  }
}

/** The problems several fields share. */
export const MISSING = () => keyed('rule.missing', {});
export const NOT_TEXT = () => keyed('rule.notText', {});
export const NOT_SECONDS = () => keyed('rule.notSeconds', {});
