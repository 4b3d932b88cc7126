/**
 * A worst-case estimate of the runtime cost of the policy's CEL under the API server's cost rules
 * (cel-go interpreter/runtimecost.go, plus Kubernetes' library costs for the strings extension,
 * k8s.io/apiserver/pkg/cel/library/cost.go). @bufbuild/cel has no cost model, so this walks the
 * parsed expression and charges every operation at the largest size its operands can have:
 *
 * - an identifier or field selection, `has()`, an index, `size()`, a logical operator, an integer
 *   comparison, a call without a size-dependent cost: 1 (`&&`, `||`, `?:` themselves: 0);
 * - a list literal: 10, a map literal: 30;
 * - string `==`/`!=`: ceil(0.1 × min size); `x in list`: the list's size; `+` on strings:
 *   ceil(0.1 × (a + b)); `startsWith`: ceil(0.1 × size); `contains`: ceil(0.1 × a) × ceil(0.1 × b);
 *   `matches`: ceil(0.1 × (1 + size)) × ceil(0.25 × pattern size); `split` (strings extension):
 *   ceil(0.2 × size);
 * - a comprehension (`all`, `exists`, `filter`, `map`): its range, then per element its loop
 *   condition and step.
 *
 * Both branches of `&&`, `||` and `?:` are charged (the worst case; the API server charges only what
 * runs). Sizes come from SIZES: the API's own limits (container names are DNS labels) and the
 * policy's limits (limits.ts), which a first validation enforces before anything that depends on
 * them runs (every other validation starts with `!variables.withinLimits ||`).
 */
import { parse } from '@bufbuild/cel';

export interface Sizes {
  /** The largest size of the value of a field (by field name), for lists and maps their length. */
  readonly fields: Record<string, number>;
  /** The largest size of an element (by field name) of a list value, or of a key of a map value. */
  readonly elements: Record<string, number>;
  /** The largest size of a value (by field name) of a map value (`map[key]`). */
  readonly values: Record<string, number>;
  /** The largest size of a variable (by name), of its elements, and of its elements together. */
  readonly variables: Record<string, { size: number; element?: number; total?: number; elementParts?: Record<string, number[]> }>;
  /** The largest size of a string nothing else bounds (the API server's request size limit). */
  readonly unbounded: number;
}

interface Estimate {
  readonly cost: number;
  /** String length or list/map length. */
  readonly size: number;
  /** For lists and maps: the largest element size. */
  readonly element: number;
  /** For lists whose elements share a bound together (the parts of a split string): the largest sum of their sizes. */
  readonly total?: number;
  /** For strings of a known shape: the largest sizes of the first parts of `split(separator)`, by separator. */
  readonly parts?: Record<string, number[]>;
  /** For lists of such strings: the shape of their elements. */
  readonly elementParts?: Record<string, number[]>;
  /** For the result of `split`: the largest sizes of its first elements. */
  readonly indexed?: number[];
}

const c1 = (x: number) => Math.ceil(x);

export class CostEstimator {
  /** The names of the variables an expression references. */
  public static variablesOf(expression: string): string[] {
    return [...new Set([...expression.matchAll(/variables\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1]))];
  }

  constructor(private readonly sizes: Sizes) {}

  /** The worst-case cost of an expression (variables it references are not included). */
  public cost(expression: string): number {
    return this.walk(parse(expression).expr, new Map()).cost;
  }

  private walk(e: any, scope: Map<string, Estimate>): Estimate {
    const k = e.exprKind;
    const unknown = this.sizes.unbounded;
    switch (k.case) {
      case 'constExpr': {
        const v = k.value.constantKind;
        return { cost: 0, size: v.case === 'stringValue' ? [...v.value].length : 1, element: 0 };
      }
      case 'identExpr': {
        const bound = scope.get(k.value.name);
        return {
          cost: 1,
          size: bound?.size ?? unknown,
          element: bound?.element ?? unknown,
          total: bound?.total,
          parts: bound?.parts,
          elementParts: bound?.elementParts,
        };
      }
      case 'selectExpr': {
        const operand = this.walk(k.value.operand, scope);
        const field: string = k.value.field;
        if (k.value.testOnly) return { cost: operand.cost + 1, size: 1, element: 0 };
        const isVariables = k.value.operand.exprKind.case === 'identExpr' && k.value.operand.exprKind.value.name === 'variables';
        if (isVariables) {
          const v = this.sizes.variables[field];
          return { cost: operand.cost + 1, size: v?.size ?? unknown, element: v?.element ?? unknown, total: v?.total, elementParts: v?.elementParts };
        }
        return { cost: operand.cost + 1, size: this.sizes.fields[field] ?? unknown, element: this.sizes.elements[field] ?? unknown };
      }
      case 'listExpr': {
        const items: Estimate[] = k.value.elements.map((x: any) => this.walk(x, scope));
        const shaped = items.length > 0 && items.every(i => i.parts !== undefined) ? items[0].parts : undefined;
        return { cost: 10 + sum(items.map(i => i.cost)), size: items.length, element: Math.max(0, ...items.map(i => i.size)), elementParts: shaped };
      }
      case 'structExpr':
        return {
          cost: 30 + sum(k.value.entries.map((x: any) => this.walk(x.value.value, scope).cost + this.walk(x.keyKind.value, scope).cost)),
          size: k.value.entries.length,
          element: 0,
        };
      case 'comprehensionExpr': {
        const c = k.value;
        const range = this.walk(c.iterRange, scope);
        const init = this.walk(c.accuInit, scope);
        const iteration = (elementSize: number) => {
          const inner = new Map(scope);
          inner.set(c.iterVar, { cost: 0, size: elementSize, element: unknown, total: elementSize, parts: range.elementParts });
          // the accumulator of map/filter grows to the range's size
          inner.set(c.accuVar, { cost: 0, size: Math.max(range.size, 1), element: range.element });
          return { condition: this.walk(c.loopCondition, inner), step: this.walk(c.loopStep, inner), result: this.walk(c.result, inner) };
        };
        const largest = iteration(range.element);
        let loop = range.size * (largest.condition.cost + largest.step.cost);
        if (range.total !== undefined && range.element > 1) {
          // elements that share a total: the iteration cost is affine in the element's size
          // (sizes enter through ceil(f * size), at most f * (size + 10)); charge n constant parts
          // plus the size-dependent part of the total
          const smallest = iteration(1);
          const f1 = smallest.condition.cost + smallest.step.cost;
          const slope = Math.max(0, (largest.condition.cost + largest.step.cost - f1) / (range.element - 1));
          loop = Math.min(loop, Math.ceil(range.size * (f1 + 10 * slope) + slope * range.total));
        }
        // map and filter: the step appends to the accumulator (`@result + [x]`), so its shape is the elements'
        return {
          cost: range.cost + init.cost + loop + largest.result.cost,
          size: range.size,
          element: Math.max(range.element, largest.step.element),
          elementParts: largest.step.elementParts,
        };
      }
      case 'callExpr':
        return this.call(k.value, scope);
      default:
        throw new Error(`cost: unsupported expression ${k.case}`);
    }
  }

  private call(call: any, scope: Map<string, Estimate>): Estimate {
    const target: Estimate | undefined = call.target ? this.walk(call.target, scope) : undefined;
    const args: Estimate[] = call.args.map((a: any) => this.walk(a, scope));
    const base = (target?.cost ?? 0) + sum(args.map(a => a.cost));
    const fn: string = call.function;
    const [a, b] = target ? [target, args[0]] : [args[0], args[1]];
    const result = (cost: number, size = 1, element = 0): Estimate => ({ cost: base + cost, size, element });
    switch (fn) {
      case '_&&_': case '_||_':
        return result(0);

      case '_?_:_':
        return {
          cost: args[0].cost + Math.max(args[1].cost, args[2].cost),
          size: Math.max(args[1].size, args[2].size),
          element: Math.max(args[1].element, args[2].element),
        };
      case '_[_]': {
        const index = call.args[1].exprKind;
        const i = index.case === 'constExpr' ? Number(index.value.constantKind.value) : -1;
        const known = args[0].indexed?.[i];
        return result(1, known ?? this.indexSize(call, args[0]), this.sizes.unbounded);
      }
      case '!_': case '@not_strictly_false': case '_<_': case '_<=_': case '_>_': case '_>=_': case 'size':
        return result(1);
      case '_==_': case '_!=_':
        return result(c1(0.1 * Math.min(a.size, b.size)));
      case '@in':
        return result(b.size);
      case '_+_':
        // strings: O(a + b); lists: O(1) (the result may hold both)
        if (a.element === 0 && b.element === 0) return result(c1(0.1 * (a.size + b.size)), a.size + b.size);
        return { ...result(1, a.size + b.size, Math.max(a.element, b.element)), elementParts: b.elementParts ?? a.elementParts };
      case 'startsWith': case 'endsWith':
        return result(c1(0.1 * a.size));
      case 'contains':
        return result(c1(0.1 * a.size) * c1(0.1 * b.size));
      case 'matches':
        return result(c1(0.1 * (1 + a.size)) * c1(0.25 * b.size));
      case 'replace': {
        // strings extension: ceil(0.2 x size); every occurrence of the search string may be replaced
        const [search, replacement] = args;
        const grown = Math.ceil(a.size / Math.max(1, search.size)) * replacement.size + a.size;
        return result(c1(0.2 * a.size), grown, 0);
      }
      case 'join': {
        // strings extension: ceil(0.2 x the result's size), the elements and their separators
        const joined = (a.total ?? a.size * a.element) + a.size * (b?.size ?? 0);
        return { ...result(c1(0.2 * joined), joined, 0) };
      }
      case 'split': {
        // parts: at most one more than the separators that fit (a constant separator's length is known)
        const constant = call.args[0].exprKind.case === 'constExpr' ? String(call.args[0].exprKind.value.constantKind.value) : undefined;
        const separator = constant !== undefined ? Math.max(1, b.size) : 1;
        const indexed = constant !== undefined ? a.parts?.[constant] : undefined;
        return { ...result(c1(0.2 * a.size), Math.floor(a.size / separator) + 1, a.size), total: a.size, indexed };
      }
      default:
        throw new Error(`cost: no cost rule for ${fn}`);
    }
  }

  /** The size of `x[i]`: a value of a map field (see Sizes.values), else an element of the list. */
  private indexSize(call: any, list: Estimate): number {
    const operand = call.args[0].exprKind;
    if (operand.case === 'selectExpr' && this.sizes.values[operand.value.field] !== undefined) return this.sizes.values[operand.value.field];
    return list.element;
  }
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}
