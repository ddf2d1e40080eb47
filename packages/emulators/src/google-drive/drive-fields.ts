/**
 * @module google-drive/drive-fields
 * The `fields` partial-response parameter: `a,b(c,d),e/f` or `*`, parsed to
 * a tree and applied to a response object.
 */
import { driveErrors } from './drive-errors.js';

/** A selection: `true` keeps a whole member, a nested selection trims it. */
export type FieldSelection = Map<string, FieldSelection | true>;

function addPath(selection: FieldSelection, path: string[], sub: FieldSelection | true): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    selection.set(head, sub);
    return;
  }
  let child = selection.get(head);
  if (child === true) return;
  if (!child) {
    child = new Map();
    selection.set(head, child);
  }
  addPath(child, rest, sub);
}

/** Parses a `fields` expression; throws a Drive 400 on bad syntax. */
export function parseFields(expression: string): FieldSelection {
  let position = 0;
  const text = expression.replace(/\s+/g, '');
  const parseList = (): FieldSelection => {
    const selection: FieldSelection = new Map();
    for (;;) {
      const match = /^[A-Za-z0-9_*/.]+/.exec(text.slice(position));
      if (!match) throw driveErrors.invalidValue('fields', `Invalid field selection ${expression}`);
      position += match[0].length;
      let sub: FieldSelection | true = true;
      if (text[position] === '(') {
        position += 1;
        sub = parseList();
        if (text[position] !== ')') throw driveErrors.invalidValue('fields', `Invalid field selection ${expression}`);
        position += 1;
      }
      addPath(selection, match[0].split('/'), sub);
      if (text[position] !== ',') return selection;
      position += 1;
    }
  };
  const selection = parseList();
  if (position !== text.length) throw driveErrors.invalidValue('fields', `Invalid field selection ${expression}`);
  return selection;
}

function projectValue(value: unknown, selection: FieldSelection | true): unknown {
  if (selection === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => projectValue(item, selection));
  return projectObject(value as Record<string, unknown>, selection);
}

export function projectObject(source: Record<string, unknown>, selection: FieldSelection): Record<string, unknown> {
  if (selection.get('*') === true) return source;
  const result: Record<string, unknown> = {};
  for (const [key, sub] of selection) {
    if (key === '*') continue;
    if (key in source) result[key] = projectValue(source[key], sub);
  }
  return result;
}

/** Applies `fields` (or the endpoint's default selection) to a response. */
export function applyFields(source: Record<string, unknown>, fields: string | null, defaults: string): Record<string, unknown> {
  return projectObject(source, parseFields(fields && fields.length > 0 ? fields : defaults));
}
