/**
 * @module marketplace/settings-schema
 * The JSON Schema subset an integration's settings are described in, as a
 * zod schema (so a manifest that uses anything else is refused, not half
 * understood): one object whose properties are strings (with `enum` → a
 * select, `format` uri | email, length and `pattern`), booleans, integers
 * and numbers (`minimum`/`maximum`), and arrays of strings; `required`,
 * `default`, `title` and `description`. The console generates its form from
 * this, and the server validates values with `validateSettings`.
 */
import { z } from 'zod';

const annotations = {
  title: z.string().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
};

const stringFormatSchema = z.enum(['uri', 'email']);

export const stringSettingSchema = z.strictObject({
  type: z.literal('string'),
  ...annotations,
  default: z.string().optional(),
  enum: z.array(z.string()).min(1).max(100).optional(),
  format: stringFormatSchema.optional(),
  minLength: z.number().int().nonnegative().optional(),
  maxLength: z.number().int().positive().optional(),
  pattern: z
    .string()
    .max(200)
    .refine((pattern) => {
      try {
        new RegExp(pattern, 'u');
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
});

export const booleanSettingSchema = z.strictObject({
  type: z.literal('boolean'),
  ...annotations,
  default: z.boolean().optional(),
});

export const numberSettingSchema = z.strictObject({
  type: z.enum(['integer', 'number']),
  ...annotations,
  default: z.number().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
});

export const stringListSettingSchema = z.strictObject({
  type: z.literal('array'),
  ...annotations,
  items: z.strictObject({
    type: z.literal('string'),
    enum: z.array(z.string()).min(1).max(100).optional(),
    format: stringFormatSchema.optional(),
    maxLength: z.number().int().positive().optional(),
  }),
  default: z.array(z.string()).optional(),
  minItems: z.number().int().nonnegative().optional(),
  maxItems: z.number().int().positive().optional(),
  uniqueItems: z.boolean().optional(),
});

export const settingPropertySchema = z.discriminatedUnion('type', [stringSettingSchema, booleanSettingSchema, numberSettingSchema, stringListSettingSchema]);
export type SettingProperty = z.infer<typeof settingPropertySchema>;

export const settingKeySchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'a setting name is a letter then letters, digits or _');

export const settingsSchemaSchema = z
  .strictObject({
    $schema: z.string().optional(),
    type: z.literal('object'),
    ...annotations,
    properties: z.record(settingKeySchema, settingPropertySchema),
    required: z.array(z.string()).optional(),
    additionalProperties: z.literal(false).optional(),
  })
  .superRefine((schema, context) => {
    for (const [index, name] of (schema.required ?? []).entries()) {
      if (!Object.hasOwn(schema.properties, name)) {
        context.addIssue({ code: 'custom', path: ['required', index], message: `"${name}" is required but is not one of the properties` });
      }
    }
    for (const [name, property] of Object.entries(schema.properties)) {
      if (property.default === undefined) continue;
      const problem = checkValue(property, property.default);
      if (problem !== null) context.addIssue({ code: 'custom', path: ['properties', name, 'default'], message: `the default ${problem}` });
    }
  });
export type SettingsSchema = z.infer<typeof settingsSchemaSchema>;

export type SettingValue = string | number | boolean | string[];
export type SettingsValues = Record<string, SettingValue>;

export interface SettingsIssue {
  /** The setting's name, as a one-element path (the shape of the API's validation issues). */
  path: [string];
  message: string;
}

export type SettingsValidation = { ok: true; value: SettingsValues } | { ok: false; issues: SettingsIssue[] };

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkFormat(format: 'uri' | 'email' | undefined, value: string): string | null {
  if (format === 'email' && !emailPattern.test(value)) return 'must be an email address';
  if (format === 'uri') {
    try {
      const url = new URL(value);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    } catch {
      return 'must be a URL such as https://example.com/path';
    }
  }
  return null;
}

function checkString(property: z.infer<typeof stringSettingSchema>, value: unknown): string | null {
  if (typeof value !== 'string') return 'must be text';
  if (property.enum !== undefined && !property.enum.includes(value)) return `must be one of: ${property.enum.join(', ')}`;
  if (property.minLength !== undefined && value.length < property.minLength) return `must be at least ${property.minLength} characters long`;
  if (property.maxLength !== undefined && value.length > property.maxLength) return `must be at most ${property.maxLength} characters long`;
  if (property.pattern !== undefined && !new RegExp(property.pattern, 'u').test(value)) return `does not have the expected form (${property.pattern})`;
  return checkFormat(property.format, value);
}

function checkNumber(property: z.infer<typeof numberSettingSchema>, value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  if (property.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
  if (property.minimum !== undefined && value < property.minimum) return `must be at least ${property.minimum}`;
  if (property.maximum !== undefined && value > property.maximum) return `must be at most ${property.maximum}`;
  return null;
}

function checkList(property: z.infer<typeof stringListSettingSchema>, value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be a list of text values';
  if (property.minItems !== undefined && value.length < property.minItems) return `needs at least ${property.minItems} entries`;
  if (property.maxItems !== undefined && value.length > property.maxItems) return `may have at most ${property.maxItems} entries`;
  for (const item of value) {
    if (typeof item !== 'string') return 'must be a list of text values';
    if (property.items.enum !== undefined && !property.items.enum.includes(item)) return `has "${item}", which is not one of: ${property.items.enum.join(', ')}`;
    if (property.items.maxLength !== undefined && item.length > property.items.maxLength) return `has an entry longer than ${property.items.maxLength} characters`;
    const format = checkFormat(property.items.format, item);
    if (format !== null) return `has "${item}", which ${format}`;
  }
  if (property.uniqueItems === true && new Set(value).size !== value.length) return 'has the same entry twice';
  return null;
}

/** What is wrong with one value of a setting, or null when it fits. */
export function checkValue(property: SettingProperty, value: unknown): string | null {
  switch (property.type) {
    case 'string':
      return checkString(property, value);
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'integer':
    case 'number':
      return checkNumber(property, value);
    case 'array':
      return checkList(property, value);
  }
}

/**
 * Validates settings against an integration's schema: every problem, one per
 * setting; unknown names and missing required settings included. On success
 * the value has the defaults filled in for settings left out.
 */
export function validateSettings(schema: SettingsSchema, values: Record<string, unknown>): SettingsValidation {
  const issues: SettingsIssue[] = [];
  const value: SettingsValues = {};
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(schema.properties, name)) issues.push({ path: [name], message: `"${name}" is not a setting of this integration` });
  }
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties)) {
    const given = Object.hasOwn(values, name) ? values[name] : undefined;
    if (given === undefined || given === null) {
      if (property.default !== undefined) value[name] = property.default;
      else if (required.has(name)) issues.push({ path: [name], message: `${property.title ?? name} is required` });
      continue;
    }
    const problem = checkValue(property, given);
    if (problem !== null) issues.push({ path: [name], message: `${property.title ?? name} ${problem}` });
    else value[name] = given as SettingValue;
  }
  return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
}

/** The settings a new install starts with: every default. */
export function defaultSettings(schema: SettingsSchema): SettingsValues {
  const value: SettingsValues = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.default !== undefined) value[name] = property.default;
  }
  return value;
}
