/**
 * @module components/settings-form
 * A form generated from an integration's settings schema (the JSON Schema
 * subset of `@ferry/core`): text, URL and email fields, selects for enums,
 * checkboxes, number fields with their bounds, and lists of text (checkbox
 * groups when the values are fixed, one-per-line otherwise). Labels come from
 * titles, hints from descriptions; the server's field errors show inline under
 * their field. The browser's own validation is off so the server's messages
 * are the ones users see.
 */
import type { SettingProperty, SettingsSchema } from '@ferry/core';
import { useId, useState, type FormEvent } from 'react';

export type FieldErrors = Record<string, string>;

type Draft = Record<string, string | boolean | string[]>;

function draftOf(schema: SettingsSchema, values: Record<string, unknown>): Draft {
  const draft: Draft = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = values[name] ?? property.default;
    if (property.type === 'boolean') draft[name] = value === true;
    else if (property.type === 'array') draft[name] = Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    else draft[name] = value === undefined || value === null ? '' : String(value);
  }
  return draft;
}

/** The values to send: empty optional fields left out, numbers parsed (an unparsable one is sent as typed, for the server to name). */
function valuesOf(schema: SettingsSchema, draft: Draft): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = draft[name];
    if (property.type === 'boolean') values[name] = value === true;
    else if (property.type === 'array') {
      const list = Array.isArray(value) ? value : [];
      values[name] = property.items.enum === undefined ? list.map((item) => item.trim()).filter((item) => item !== '') : list;
    } else if (typeof value === 'string' && value.trim() !== '') {
      if (property.type === 'string') values[name] = value;
      else values[name] = Number.isFinite(Number(value)) ? Number(value) : value;
    }
  }
  return values;
}

interface FieldProps {
  name: string;
  property: SettingProperty;
  required: boolean;
  value: string | boolean | string[];
  error: string | undefined;
  disabled: boolean;
  onChange(value: string | boolean | string[]): void;
}

function SettingField({ name, property, required, value, error, disabled, onChange }: FieldProps) {
  const id = useId();
  const label = `${property.title ?? name}${required ? ' (required)' : ''}`;
  const describedBy = [property.description ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const hint = property.description ? (
    <span id={`${id}-hint`} className="field-hint">
      {property.description}
    </span>
  ) : null;
  const errorLine = error ? (
    <span id={`${id}-error`} className="field-error">
      {error}
    </span>
  ) : null;
  const common = { id, disabled, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;

  if (property.type === 'boolean') {
    return (
      <div className="setting setting-check">
        <input type="checkbox" {...common} checked={value === true} onChange={(event) => onChange(event.target.checked)} />
        <label htmlFor={id}>{label}</label>
        {hint}
        {errorLine}
      </div>
    );
  }
  if (property.type === 'array') {
    const list = Array.isArray(value) ? value : [];
    const choices = property.items.enum;
    if (choices !== undefined) {
      return (
        <fieldset className="setting" aria-describedby={describedBy} aria-invalid={error ? true : undefined} disabled={disabled}>
          <legend>{label}</legend>
          {hint}
          <div className="setting-choices">
            {choices.map((choice) => (
              <label key={choice} className="setting-choice">
                <input
                  type="checkbox"
                  checked={list.includes(choice)}
                  onChange={(event) => onChange(event.target.checked ? [...list, choice] : list.filter((item) => item !== choice))}
                />
                {choice}
              </label>
            ))}
          </div>
          {errorLine}
        </fieldset>
      );
    }
    return (
      <div className="setting">
        <label htmlFor={id}>{label}</label>
        {hint}
        <textarea {...common} rows={3} value={list.join('\n')} onChange={(event) => onChange(event.target.value.split('\n'))} placeholder="One per line" />
        {errorLine}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <div className="setting">
      <label htmlFor={id}>{label}</label>
      {hint}
      {property.type === 'string' && property.enum !== undefined ? (
        <select {...common} value={text} onChange={(event) => onChange(event.target.value)}>
          {required && property.default !== undefined ? null : <option value="">—</option>}
          {property.enum.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={property.type === 'string' ? (property.format === 'uri' ? 'url' : property.format === 'email' ? 'email' : 'text') : 'number'}
          {...(property.type !== 'string' ? { min: property.minimum, max: property.maximum, step: property.type === 'integer' ? 1 : 'any' } : {})}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
      {errorLine}
    </div>
  );
}

export interface SettingsFormProps {
  schema: SettingsSchema;
  values: Record<string, unknown>;
  errors: FieldErrors;
  /** Members see the settings without being able to change them. */
  readOnly: boolean;
  busy: boolean;
  onSave(values: Record<string, unknown>): void;
}

export function SettingsForm({ schema, values, errors, readOnly, busy, onSave }: SettingsFormProps) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(schema, values));
  const required = new Set(schema.required ?? []);
  const names = Object.keys(schema.properties);
  if (names.length === 0) return <p className="muted">This integration has no settings.</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(valuesOf(schema, draft));
  };
  return (
    <form className="form settings-form" noValidate onSubmit={submit} aria-label="Settings">
      {names.map((name) => {
        const property = schema.properties[name];
        if (property === undefined) return null;
        return (
          <SettingField
            key={name}
            name={name}
            property={property}
            required={required.has(name)}
            value={draft[name] ?? ''}
            error={errors[name]}
            disabled={readOnly || busy}
            onChange={(value) => setDraft((previous) => ({ ...previous, [name]: value }))}
          />
        );
      })}
      {readOnly ? null : (
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            Save settings
          </button>
        </div>
      )}
    </form>
  );
}
