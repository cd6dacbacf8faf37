/**
 * Keeps a render error inside what threw it: a cell shows the error and ways out (retry, reset the cell,
 * discard its run) instead of the page going blank; one boundary around the app offers a fresh notebook and
 * the broken state for download. Messages go through `redactText`, so no URL secret is shown.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { redactText } from '../data/urlSecrets.ts';

/** A way out offered beside Retry. */
export interface RecoveryAction {
  readonly label: string;
  readonly testId: string;
  /** may be async; the boundary clears its error once it resolves */
  run(): void | Promise<void>;
}

interface Props {
  /** what failed, in the user's words: `the Revenue gain cell`, `the workbench` */
  readonly what: string;
  readonly testId: string;
  readonly actions?: readonly RecoveryAction[];
  /** when one of these changes (the runs a cell shows, its settings), a failed boundary tries again by itself */
  readonly resetKeys?: readonly unknown[];
  readonly children: ReactNode;
}

interface State {
  readonly error: Error | null;
}

/** Catches errors thrown while rendering its children and shows them with Retry and `actions`. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.what} failed to render: ${redactText(error.message)}`, info.componentStack);
  }

  override componentDidUpdate(prev: Props): void {
    const before = prev.resetKeys ?? [];
    const now = this.props.resetKeys ?? [];
    // a way out taken in another cell (discarding a run they all show) mends this one too
    if (this.state.error !== null && (before.length !== now.length || now.some((k, i) => !Object.is(k, before[i])))) this.clear();
  }

  private readonly clear = (): void => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <div className="error-boundary" role="alert" data-testid={this.props.testId}>
        <p>
          <strong>{this.props.what} failed:</strong> <span data-testid={`${this.props.testId}-message`}>{redactText(error.message)}</span>
        </p>
        <div className="error-boundary-actions">
          <button type="button" onClick={this.clear} data-testid={`${this.props.testId}-retry`}>Retry</button>
          {(this.props.actions ?? []).map((a) => (
            <button key={a.testId} type="button" data-testid={a.testId}
              onClick={() => { void Promise.resolve(a.run()).finally(this.clear); }}>
              {a.label}
            </button>
          ))}
        </div>
      </div>
    );
  }
}
