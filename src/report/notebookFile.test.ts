import { describe, expect, it } from 'vitest';
import { NotebookDocError, parseNotebookDoc, serializeNotebookDoc } from './notebookFile.ts';
import type { NotebookDoc } from './notebookFile.ts';
import { SAMPLE_CELL_KINDS, SAMPLE_NOTEBOOK } from '../../test/reportFixture.ts';

const KINDS = SAMPLE_CELL_KINDS;

function refusal(json: string): string {
  try {
    parseNotebookDoc(json, KINDS);
  } catch (error) {
    expect(error).toBeInstanceOf(NotebookDocError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

function withChange(change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(serializeNotebookDoc(SAMPLE_NOTEBOOK)) as Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

function cellsOf(doc: Record<string, unknown>): Array<Record<string, unknown>> {
  return doc['cells'] as Array<Record<string, unknown>>;
}

describe('notebook file round trip', () => {
  it('parse(serialize(doc)) is identical, and serialising again gives the same text', () => {
    const text = serializeNotebookDoc(SAMPLE_NOTEBOOK);
    const back = parseNotebookDoc(text, KINDS);
    expect(back).toEqual(SAMPLE_NOTEBOOK);
    expect(serializeNotebookDoc(back)).toBe(text);
  });

  it('keeps data without a url free of a url key', () => {
    const doc: NotebookDoc = { ...SAMPLE_NOTEBOOK, data: { type: 'bundled', name: 'orders-2024' } };
    const back = parseNotebookDoc(serializeNotebookDoc(doc), KINDS);
    expect(back.data).toEqual({ type: 'bundled', name: 'orders-2024' });
    expect('url' in back.data).toBe(false);
  });
});

describe('notebook file refusals', () => {
  it('names an unknown cell kind', () => {
    const json = withChange((doc) => { (cellsOf(doc)[1] as Record<string, unknown>)['kind'] = 'runShell'; });
    expect(refusal(json)).toMatch(/^cell 2 has unknown kind "runShell"; this workbench knows data, profile/);
  });

  it('names bad types', () => {
    expect(refusal(withChange((doc) => { (cellsOf(doc)[0] as Record<string, unknown>)['collapsed'] = 'yes'; })))
      .toBe('cell 1 collapsed is text "yes"; expected true or false');
    expect(refusal(withChange((doc) => { doc['cells'] = {}; }))).toBe('notebook cells is an object; expected a list');
    expect(refusal(withChange((doc) => { doc['name'] = 42; }))).toBe('notebook name is number 42; expected text');
    expect(refusal(withChange((doc) => { doc['data'] = { type: 'ftp', name: 'x' }; })))
      .toBe('notebook data type text "ftp" is unknown; expected "bundled", "url" or "file"');
    expect(refusal(withChange((doc) => { doc['data'] = { type: 'url', name: 'x', url: 'javascript:alert(1)' }; })))
      .toBe('notebook data url uses "javascript:"; only http and https URLs are accepted');
    expect(refusal(withChange((doc) => { doc['extra'] = 1; }))).toBe('notebook has unknown field "extra"; remove it');
    expect(refusal(withChange((doc) => { (cellsOf(doc)[1] as Record<string, unknown>)['id'] = 'data-1'; })))
      .toBe('cell 2 repeats id "data-1"; cell ids must be unique');
    expect(refusal('{"schemaVersion": 1, "name": "x", "cells": [], "data": {"type": "bundled", "name": "x"}, "__proto__": {}}'))
      .toBe('notebook has unknown field "__proto__"; remove it');
    expect(refusal('[1, 2]')).toBe('notebook is a list; expected an object');
    expect(refusal('{"schemaVersion": 1,')).toMatch(/^notebook is not valid JSON \(.+\); export it again$/);
  });

  it('refuses absurd sizes', () => {
    const many = withChange((doc) => {
      doc['cells'] = Array.from({ length: 201 }, (_, i) => ({ id: `c${i}`, kind: 'data', collapsed: false, config: {} }));
    });
    expect(refusal(many)).toBe('notebook has 201 cells; at most 200 are accepted');
    const longText = withChange((doc) => { (cellsOf(doc)[0] as Record<string, unknown>)['config'] = { note: 'x'.repeat(10_001) }; });
    expect(refusal(longText)).toBe('cell 1 config.note is 10001 characters long; at most 10000 are accepted');
    const huge = withChange((doc) => {
      (cellsOf(doc)[0] as Record<string, unknown>)['config'] = { parts: Array.from({ length: 120 }, () => 'y'.repeat(9_000)) };
    });
    expect(refusal(huge)).toBe('notebook is larger than 1000000 bytes; this is not a workbench notebook');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(refusal(withChange((doc) => { (cellsOf(doc)[0] as Record<string, unknown>)['config'] = { deep }; })))
      .toMatch(/is nested deeper than 32 levels$/);
  });

  it('refuses a missing or newer schemaVersion', () => {
    expect(refusal(withChange((doc) => { delete doc['schemaVersion']; })))
      .toBe('notebook has no schemaVersion; is this a workbench notebook file?');
    expect(refusal(withChange((doc) => { doc['schemaVersion'] = 2; })))
      .toBe('notebook schemaVersion 2 was made by a newer workbench (this one reads up to 1); update the workbench');
    expect(refusal(withChange((doc) => { doc['schemaVersion'] = '1'; })))
      .toBe('notebook schemaVersion text "1" is not a version number; export it again');
  });
});

describe('notebook migrations', () => {
  it('migrates version 0, whose cells were called items and could omit collapsed', () => {
    const v0 = {
      schemaVersion: 0,
      name: SAMPLE_NOTEBOOK.name,
      data: SAMPLE_NOTEBOOK.data,
      items: SAMPLE_NOTEBOOK.cells.map((cell) => (cell.collapsed ? cell : { id: cell.id, kind: cell.kind, config: cell.config })),
    };
    expect(parseNotebookDoc(JSON.stringify(v0), KINDS)).toEqual(SAMPLE_NOTEBOOK);
  });

  it('refuses a version 0 file without items', () => {
    expect(refusal(JSON.stringify({ schemaVersion: 0, name: 'x', data: { type: 'bundled', name: 'x' } })))
      .toBe('version 0 notebook has no "items" list; export it again');
  });
});
