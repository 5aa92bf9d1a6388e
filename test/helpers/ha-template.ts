// A tiny evaluator of the Jinja subset the bridge emits in Home Assistant templates, rendering values
// as Home Assistant's templates do (Python's str: True/False for booleans). Anything outside the subset
// throws, so that a template the bridge starts to emit without a matching check here fails the test.
//   {{ value_json['<name>'] }}
//   {{ 'A' if value_json['<name>'] else 'B' }}
//   {{ value | tojson }}      {{ value }}
// Literal text around one such expression is kept (`{"x": {{ value | tojson }}}`).

const NAME = '[A-Za-z0-9_]+';
const EXPRESSION = /\{\{\s*(.*?)\s*\}\}/g;

function pythonStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function truthy(value: unknown): boolean {
  return !(value === false || value === 0 || value === '' || value === null || value === undefined);
}

function evaluate(
  expression: string,
  vars: { value?: unknown; value_json?: Record<string, unknown> },
): string {
  let m = new RegExp(`^value_json\\['(${NAME})'\\]$`).exec(expression);
  if (m) {
    if (!vars.value_json || !(m[1] in vars.value_json)) throw new Error(`value_json has no ${m[1]}`);
    return pythonStr(vars.value_json[m[1]]);
  }
  m = new RegExp(`^'([^']*)' if value_json\\['(${NAME})'\\] else '([^']*)'$`).exec(expression);
  if (m) {
    if (!vars.value_json || !(m[2] in vars.value_json)) throw new Error(`value_json has no ${m[2]}`);
    return truthy(vars.value_json[m[2]]) ? m[1] : m[3];
  }
  if (expression === 'value | tojson') return JSON.stringify(vars.value);
  if (expression === 'value') return pythonStr(vars.value);
  throw new Error(`template expression outside the tested subset: {{ ${expression} }}`);
}

export function renderTemplate(
  template: string,
  vars: { value?: unknown; value_json?: Record<string, unknown> },
): string {
  if (/\{%|\{#/.test(template))
    throw new Error(`statements and comments are outside the subset: ${template}`);
  return template.replace(EXPRESSION, (_all, expression: string) => evaluate(expression, vars));
}
