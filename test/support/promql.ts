/** Metric names of a PromQL expression: every name followed by a label selector (functions take `(`). */
export const metricNames = (expr: string): string[] => [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]);
