/**
 * PromQL parsing with the Prometheus project's own grammar (@prometheus-io/lezer-promql, the parser
 * of the Prometheus UI): syntax errors, metric names and label matchers of an expression.
 */
import type { LRParser } from '@lezer/lr';

// The package is an ES module with a CommonJS build (dist/index.cjs) that TypeScript's node16
// resolution does not type for require(): load it with require() and type it through @lezer/lr.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const parser: LRParser = require('@prometheus-io/lezer-promql').parser;

export interface ParsedPromQL {
  /** Positions of syntax errors (empty when the expression parses). */
  readonly errors: number[];
  /** Metric names of the vector selectors. */
  readonly metrics: string[];
  /** `metric{label}` for every label matcher, and `by(label)` for grouping labels. */
  readonly labels: string[];
}

export function parsePromQL(expr: string): ParsedPromQL {
  const tree = parser.parse(expr);
  const errors: number[] = [];
  const metrics: string[] = [];
  const labels: string[] = [];
  const cursor = tree.cursor();
  do {
    const { name, from, to } = cursor.node;
    if (cursor.type.isError) errors.push(from);
    if (name === 'VectorSelector') {
      const node = cursor.node;
      const id = node.getChild('Identifier');
      const metric = id ? expr.slice(id.from, id.to) : '';
      metrics.push(metric);
      const matchers = node.getChild('LabelMatchers');
      let m = matchers?.firstChild ?? null;
      while (m) {
        const ln = m.getChild('LabelName');
        if (ln) labels.push(`${metric}{${expr.slice(ln.from, ln.to)}}`);
        m = m.nextSibling;
      }
    }
    if (name === 'GroupingLabels') {
      for (let c = cursor.node.firstChild; c; c = c.nextSibling) {
        if (c.name === 'LabelName') labels.push(`by(${expr.slice(c.from, c.to)})`);
      }
    }
    void to;
  } while (cursor.next());
  return { errors, metrics, labels };
}
