/** Small labelled form fields used by the settings of the cells. */
import { useEffect, useState } from 'react';

export function NumberField({ label, value, onChange, step = 'any', min, max, testId, unit }: {
  label: string; value: number; onChange: (v: number) => void; step?: number | 'any'; min?: number; max?: number; testId?: string; unit?: string;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const invalid = text.trim() === '' || !Number.isFinite(Number(text)) || (min !== undefined && Number(text) < min) || (max !== undefined && Number(text) > max);
  return (
    <label className="field">
      <span>{label}{unit ? ` (${unit})` : ''}</span>
      <input type="number" value={text} step={step} {...(min !== undefined ? { min } : {})} {...(max !== undefined ? { max } : {})}
        aria-invalid={invalid} data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v) && (min === undefined || v >= min) && (max === undefined || v <= max)) onChange(v);
        }} />
      {invalid && <small className="error">enter a number{min !== undefined ? ` ≥ ${min}` : ''}{max !== undefined ? ` ≤ ${max}` : ''}</small>}
    </label>
  );
}

export function SelectField<T extends string>({ label, value, options, onChange, testId }: {
  label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (v: T) => void; testId?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </label>
  );
}

export function TextField({ label, value, onChange, testId, pattern, hint }: {
  label: string; value: string; onChange: (v: string) => void; testId?: string; pattern?: RegExp; hint?: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const invalid = pattern ? !pattern.test(text) : false;
  return (
    <label className="field">
      <span>{label}</span>
      <input type="text" value={text} aria-invalid={invalid} data-testid={testId}
        onChange={(e) => { setText(e.target.value); if (!pattern || pattern.test(e.target.value)) onChange(e.target.value); }} />
      {invalid && hint && <small className="error">{hint}</small>}
    </label>
  );
}
