/**
 * @module google-drive/drive-query
 * The subset of Drive's `q` search language a sync driver uses:
 * `'<id>' in parents`, `name = '...'`, `name contains '...'`, `mimeType = / !=`,
 * `trashed = true|false`, `modifiedTime > '<RFC 3339>'`, joined with
 * `and` / `or` / `not` and parentheses. Anything else answers 400 Invalid Value.
 */
import { driveErrors } from './drive-errors.js';
import type { DriveFileRecord } from './drive-model.js';

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'operator'; value: string }
  | { kind: 'paren'; value: '(' | ')' };

export type DrivePredicate = (record: DriveFileRecord) => boolean;

function invalid(): Error {
  return driveErrors.invalidValue('q');
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < query.length) {
    const char = query.charAt(index);
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === "'") {
      let value = '';
      index += 1;
      while (index < query.length && query[index] !== "'") {
        if (query[index] === '\\' && index + 1 < query.length) index += 1;
        value += query[index];
        index += 1;
      }
      if (query[index] !== "'") throw invalid();
      index += 1;
      tokens.push({ kind: 'string', value });
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'paren', value: char });
      index += 1;
    } else {
      const operator = /^(!=|<=|>=|=|<|>)/.exec(query.slice(index));
      if (operator) {
        tokens.push({ kind: 'operator', value: operator[0] });
        index += operator[0].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(index));
      if (!word) throw invalid();
      tokens.push({ kind: 'word', value: word[0] });
      index += word[0].length;
    }
  }
  return tokens;
}

function compare(left: string | boolean, operator: string, right: string | boolean): boolean {
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case 'contains':
      return typeof left === 'string' && typeof right === 'string' && left.toLowerCase().includes(right.toLowerCase());
    default:
      throw invalid();
  }
}

const timeFields = new Set(['modifiedTime', 'createdTime']);
const queryFields = new Set(['name', 'fullText', 'mimeType', 'trashed', 'starred', 'modifiedTime', 'createdTime']);

function fieldValue(record: DriveFileRecord, field: string): string | boolean {
  switch (field) {
    case 'name':
    case 'fullText':
      return record.name;
    case 'mimeType':
      return record.mimeType;
    case 'trashed':
      return record.trashed;
    case 'starred':
      return false;
    case 'modifiedTime':
      return new Date(record.modifiedTime).toISOString();
    case 'createdTime':
      return new Date(record.createdTime).toISOString();
    default:
      throw invalid();
  }
}

/** Parses `q`; `resolveId` maps aliases such as `root` to real ids. */
export function parseDriveQuery(query: string, resolveId: (id: string) => string): DrivePredicate {
  const tokens = tokenize(query);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token => {
    const token = tokens[position];
    if (!token) throw invalid();
    position += 1;
    return token;
  };
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.kind === 'word' && token.value.toLowerCase() === word;

  const parseValue = (): string | boolean => {
    const token = next();
    if (token.kind === 'string') return token.value;
    if (isWord(token, 'true')) return true;
    if (isWord(token, 'false')) return false;
    throw invalid();
  };

  const parseTerm = (): DrivePredicate => {
    const first = peek();
    if (first?.kind === 'string') {
      position += 1;
      if (!isWord(next(), 'in')) throw invalid();
      const collection = next();
      if (collection.kind !== 'word' || collection.value !== 'parents') throw invalid();
      const parentId = resolveId(first.value);
      return (record) => record.parents.includes(parentId);
    }
    const field = next();
    if (field.kind !== 'word') throw invalid();
    const operatorToken = next();
    const operator =
      operatorToken.kind === 'operator' ? operatorToken.value : isWord(operatorToken, 'contains') ? 'contains' : undefined;
    if (!operator) throw invalid();
    let value = parseValue();
    if (timeFields.has(field.value)) {
      const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(parsed)) throw invalid();
      value = new Date(parsed).toISOString();
    }
    const expected = value;
    if (!queryFields.has(field.value)) throw invalid();
    return (record) => compare(fieldValue(record, field.value), operator, expected);
  };

  const parseUnary = (): DrivePredicate => {
    const token = peek();
    if (isWord(token, 'not')) {
      position += 1;
      const inner = parseUnary();
      return (record) => !inner(record);
    }
    if (token?.kind === 'paren' && token.value === '(') {
      position += 1;
      const inner = parseOr();
      const closing = next();
      if (closing.kind !== 'paren' || closing.value !== ')') throw invalid();
      return inner;
    }
    return parseTerm();
  };

  const parseAnd = (): DrivePredicate => {
    const parts = [parseUnary()];
    while (isWord(peek(), 'and')) {
      position += 1;
      parts.push(parseUnary());
    }
    return (record) => parts.every((part) => part(record));
  };

  function parseOr(): DrivePredicate {
    const parts = [parseAnd()];
    while (isWord(peek(), 'or')) {
      position += 1;
      parts.push(parseAnd());
    }
    return (record) => parts.some((part) => part(record));
  }

  const predicate = parseOr();
  if (position !== tokens.length) throw invalid();
  return predicate;
}
