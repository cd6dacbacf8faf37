/** What a cell kind is, written once: its title, the settings it owns, the runs it shows, its action and its view. */
import type { ComponentType } from 'react';
import type { CellId } from '../app/notebookSlice.ts';
import type { WorkbenchState } from '../app/store.ts';
import type { ModelKind } from '../notebook/runs.ts';
import type { CellSettingsSchema } from '../notebook/serializer.ts';
import { NoSettingsSchema } from '../notebook/settings.ts';

/** What a cell's view is given: its own id, the key to its settings and runtime state. */
export interface CellProps {
  readonly cellId: CellId;
}

/** What "Run" (Shift+Enter, the frame's button) does for a cell. */
export interface CellAction {
  /** the button's text */
  readonly label: string;
  run(s: WorkbenchState, id: CellId): void;
  busy(s: WorkbenchState, id: CellId): boolean;
}

/** The two targets a notebook may choose: the class target (the classifier's) and the regression target. */
export type TargetRole = 'class' | 'regression';

/** The chosen target names ('' is none), as the store holds them. */
export interface ChosenTargets {
  readonly classTarget: string;
  readonly revenueTarget: string;
}

/** One cell kind. Its settings are persisted by cell id (a copy owns its own); its runtime state is not persisted. */
export interface CellDefinition<K extends string = string, S extends CellSettingsSchema = CellSettingsSchema> {
  readonly kind: K;
  readonly title: string;
  /** the settings a cell of this kind owns; the schema's defaults are a new cell's settings */
  readonly settings: S;
  /** the targets the cell is about: its title names them, and it is idle (one line saying why) while one is none */
  readonly targets: readonly TargetRole[];
  /** the models whose runs the cell shows or trains: it goes stale with them */
  readonly dependsOn: readonly ModelKind[];
  /** staleness beyond its runs' (importance computed on an older run); `id` is the cell's own */
  readonly outdated?: (s: WorkbenchState, id: CellId) => boolean;
  /** what Run does; null for cells that recompute by themselves */
  readonly action: CellAction | null;
  readonly render: ComponentType<CellProps>;
}

/** A cell definition with the defaults filled in: no settings, no runs, no action. */
export function defineCell<K extends string, S extends CellSettingsSchema = typeof NoSettingsSchema>(
  def: Pick<CellDefinition<K, S>, 'kind' | 'title' | 'render'> & Partial<Omit<CellDefinition<K, S>, 'kind' | 'title' | 'render'>>,
): CellDefinition<K, S> {
  return {
    settings: NoSettingsSchema as unknown as S,
    dependsOn: [],
    targets: [],
    action: null,
    ...def,
  };
}

function targetName(role: TargetRole, t: ChosenTargets): string {
  return role === 'class' ? t.classTarget : t.revenueTarget;
}

/** The cell's title with the chosen targets it is about: "Train classifier — is_ordered". */
export function cellTitle(def: Pick<CellDefinition, 'title' | 'targets'>, t: ChosenTargets): string {
  const names = def.targets.map((r) => targetName(r, t)).filter((n) => n !== '');
  return names.length === 0 ? def.title : `${def.title} — ${names.join(', ')}`;
}

/** Why the cell is idle (a target it needs is none), or null when it can work. */
export function idleReason(def: Pick<CellDefinition, 'targets'>, t: ChosenTargets): string | null {
  const missing = def.targets.filter((r) => targetName(r, t) === '');
  if (missing.length === 0) return null;
  const what = missing.map((r) => (r === 'class' ? 'class target' : 'regression target')).join(' and ');
  return `Idle: the ${what} is none, so this notebook has no ${missing.map((r) => (r === 'class' ? 'classifier' : 'regressor')).join(' or ')}; choose a ${what} in the Features cell to use this cell.`;
}
