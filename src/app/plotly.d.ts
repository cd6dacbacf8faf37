declare module 'plotly.js-basic-dist-min' {
  /** The few Plotly calls the workbench makes; data and layout are plain objects. */
  export interface PlotlyStatic {
    react(el: HTMLElement, data: object[], layout?: object, config?: object): Promise<unknown>;
    restyle(el: HTMLElement, update: object, traces?: number[]): Promise<unknown>;
    relayout(el: HTMLElement, update: object): Promise<unknown>;
    purge(el: HTMLElement): void;
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
