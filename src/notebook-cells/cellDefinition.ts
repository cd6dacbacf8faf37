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

/** One cell kind. Its settings are persisted by cell id (a copy owns its own); its runtime state is not persisted. */
export interface CellDefinition<K extends string = string, S extends CellSettingsSchema = CellSettingsSchema> {
  readonly kind: K;
  readonly title: string;
  /** the settings a cell of this kind owns; the schema's defaults are a new cell's settings */
  readonly settings: S;
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
    action: null,
    ...def,
  };
}
