import { useReducer, useRef } from 'react';
import type { ViewName } from './components/header.js';

/** The cell shown in detail, with its answer once it came. */
export interface Detail {
  id: string;
  status?: Record<string, unknown>;
  error?: string;
}

/** What the operator has chosen: view, selection per view, filter, help, detail. */
export interface UiState {
  view: ViewName;
  selected: Record<ViewName, number>;
  filter: string;
  /** True while `/` is taking the filter's text. */
  editing: boolean;
  help: boolean;
  detail: Detail | undefined;
  /** The metric charted in the metrics view (an index, switched with ← →). */
  metric: number;
}

const INITIAL: UiState = {
  view: 'Health',
  selected: { Health: 0, Agents: 0, Evolution: 0, Metrics: 0 },
  filter: '',
  editing: false,
  help: false,
  detail: undefined,
  metric: 0,
};

/**
 * The UI state, held in a ref and changed synchronously: keys that arrive in one read (a paste,
 * a fast typist, `tmux send-keys`) are handled one after the other, each seeing the previous
 * one's change, before React renders again.
 */
export function useUiState(): [() => UiState, (change: (s: UiState) => Partial<UiState>) => void] {
  const ref = useRef(INITIAL);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  return [
    () => ref.current,
    (change) => {
      ref.current = { ...ref.current, ...change(ref.current) };
      rerender();
    },
  ];
}
