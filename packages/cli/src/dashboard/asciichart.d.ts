/** Types of `asciichart` (it ships none). */
declare module 'asciichart' {
  interface PlotConfig {
    height?: number;
    offset?: number;
    padding?: string;
    colors?: string[];
    format?: (x: number, i: number) => string;
    min?: number;
    max?: number;
  }
  const asciichart: {
    plot(series: number[] | number[][], config?: PlotConfig): string;
  };
  export default asciichart;
}
