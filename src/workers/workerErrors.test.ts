import { describe, expect, it } from 'vitest';
import { deserializeError, serializeError } from './workerErrors.ts';

describe('errors across the worker boundary', () => {
  it('keep their name, message and plain-data details (a load limit carries the column chooser)', () => {
    const error = Object.assign(new Error('the file has 3,000 columns, over the limit of 500; choose the columns to load'), {
      name: 'LoadLimitError', details: { columns: [{ name: 'c0', estimatedBytes: 12_000 }] },
    });
    const back = deserializeError(structuredClone(serializeError(error))) as Error & { details?: unknown };
    expect(back.name).toBe('LoadLimitError');
    expect(back.message).toBe(error.message);
    expect(back.details).toEqual({ columns: [{ name: 'c0', estimatedBytes: 12_000 }] });
    expect('details' in deserializeError(serializeError(new Error('plain')))).toBe(false);
  });
});
