/** Cell titles name the chosen targets; a cell whose target is none says why it is idle. */
import { describe, expect, it } from 'vitest';
import { cellTitle, idleReason } from './cellDefinition.ts';

describe('cell titles and idle cells name the chosen targets', () => {
  const train = { title: 'Train classifier', targets: ['class'] as const };
  const gain = { title: 'Two-stage: expected value and gain', targets: ['class', 'regression'] as const };
  it('titles name the targets', () => {
    expect(cellTitle(train, { classTarget: 'has_disease', revenueTarget: '' })).toBe('Train classifier — has_disease');
    expect(cellTitle(gain, { classTarget: 'is_ordered', revenueTarget: 'revenue' })).toBe('Two-stage: expected value and gain — is_ordered, revenue');
    expect(cellTitle({ title: 'Runs', targets: [] }, { classTarget: 'a', revenueTarget: 'b' })).toBe('Runs');
  });
  it('a cell whose target is none says why it is idle', () => {
    expect(idleReason(train, { classTarget: 'y', revenueTarget: '' })).toBeNull();
    expect(idleReason(train, { classTarget: '', revenueTarget: 'progression' })).toBe(
      'Idle: the class target is none, so this notebook has no classifier; choose a class target in the Features cell to use this cell.',
    );
    expect(idleReason(gain, { classTarget: 'y', revenueTarget: '' })).toMatch(/regression target is none/);
  });
});
