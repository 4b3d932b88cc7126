/**
 * Evaluates a synthesized ValidatingAdmissionPolicy the way the API server does, with a real CEL
 * implementation (@bufbuild/cel, a port of cel-go, plus its strings extension, which Kubernetes
 * also enables): matchConditions, then variables (in order, under `variables`), then validations.
 */
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';

// @bufbuild/cel's matches() runs RE2 (@bufbuild/re2, a port of RE2/J) and compiles the pattern on
// every call; the policy's grammar is long, so compiled patterns are kept (same results, faster tests).
const compile = RE2JS.compile.bind(RE2JS);
const COMPILED = new Map<string, ReturnType<typeof compile>>();
(RE2JS as any).compile = (pattern: string, flags?: number) => {
  if (flags !== undefined) return compile(pattern, flags);
  let re = COMPILED.get(pattern);
  if (!re) COMPILED.set(pattern, re = compile(pattern));
  return re;
};

const ENV = celEnv({ funcs: strings });
const PLANS = new Map<string, ReturnType<typeof plan>>();

/** Plain JSON as the API server hands it to CEL: objects are maps, integers are CEL ints, nulls are dropped (unset). */
export function toCel(v: any): any {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') {
    return new Map(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, toCel(x)]));
  }
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v;
}

/** Evaluates `expression`; throws on a CEL error (parse, plan or evaluation). */
export function celEval(expression: string, bindings: Record<string, any>): any {
  let program = PLANS.get(expression);
  if (!program) {
    program = plan(ENV, parse(expression));
    PLANS.set(expression, program);
  }
  const result = program(bindings);
  if (isCelError(result)) throw new Error(result.message);
  return result;
}

export interface PolicyVerdict {
  /** False when a matchCondition excluded the request. */
  readonly matched: boolean;
  /** The messages of the failed validations (an evaluation error fails a validation under failurePolicy Fail). */
  readonly failed: string[];
  /** Evaluation errors, by expression. */
  readonly errors: string[];
}

export function evaluatePolicy(policy: any, object: any, options: { operation?: string; oldObject?: any } = {}): PolicyVerdict {
  // The API server's AdmissionRequest: the kind comes from the request, not from object.kind
  // (the policy reads request.kind.kind, which is set even when the object's TypeMeta is not).
  const request = toCel({ operation: options.operation ?? 'CREATE', kind: { group: groupOf(object.apiVersion), version: 'v1', kind: object.kind } });
  const bindings: Record<string, any> = { object: toCel(object), oldObject: options.oldObject ? toCel(options.oldObject) : null, request };
  const errors: string[] = [];
  for (const c of policy.spec.matchConditions ?? []) {
    let r: any;
    try {
      r = celEval(c.expression, bindings);
    } catch (e) {
      // failurePolicy Fail: an error in a match condition rejects the request
      errors.push(`matchCondition ${c.name}: ${(e as Error).message}`);
      return { matched: true, failed: [`matchCondition ${c.name}`], errors };
    }
    if (r !== true) return { matched: false, failed: [], errors };
  }
  const variables = new Map<string, any>();
  bindings.variables = variables;
  for (const v of policy.spec.variables ?? []) {
    // Kubernetes evaluates variables lazily; an error matters only to the validations that use it.
    try {
      variables.set(v.name, celEval(v.expression, bindings));
    } catch (e) {
      errors.push(`variable ${v.name}: ${(e as Error).message}`);
    }
  }
  const failed: string[] = [];
  for (const v of policy.spec.validations) {
    try {
      const r = celEval(v.expression, bindings);
      if (typeof r !== 'boolean') throw new Error(`not a boolean: ${String(r)}`);
      if (!r) failed.push(v.message);
    } catch (e) {
      errors.push(`${v.message}: ${(e as Error).message}`);
      failed.push(v.message);
    }
  }
  return { matched: true, failed, errors };
}

/** The engine check id a validation message names (`(check runAsNonRoot; ...)`). */
export function checkOf(message: string): string {
  const m = /\(check ([A-Za-z_]+)[;)]/.exec(message);
  if (!m) throw new Error(`no check in ${message}`);
  return m[1];
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
