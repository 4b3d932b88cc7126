/**
 * Internal: the service-account token in the adopt stage: the decision of token-rule.ts (one rule
 * for `harden` and `applyTo`, per ServiceAccount) applied to one pod: `automountServiceAccountToken:
 * false` where the rule turns it off, the serviceAccountToken exemption where a human declared a
 * reason for the account, a note tagged `serviceAccountToken` (printed once per account) where the
 * token is kept without one, a problem where that is strict.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */
import { acceptsField, kindRelaxing } from './needs';
import type { PodContext } from './pod';
import { entryOf, readAnnotation } from '../../exemptions/codec';
import { RootlessAnnotations } from '../annotations';
import { addRuleNote } from '../notes';
import { CLI_TOKEN_WORDS, DEFAULT_NAMESPACE, TOKEN_RULE, TokenFacts, decideToken, keptTokenNote } from '../token-rule';

const NO_FACTS = new TokenFacts();

/** Applies the token rule to one pod. */
export function tokenRule<C, S>(ctx: PodContext<C, S>): void {
  const { plan, spec, specJs, options, report } = ctx;
  const words = ctx.dialect.token ?? CLI_TOKEN_WORDS;
  // an exemption declared already: in code or in the annotation (applyTo accepts both), or a valid annotation (the CLI)
  const inAnnotation = readAnnotation(ctx.template?.metadata?.annotations?.[RootlessAnnotations.EXEMPTIONS]).exemptions
    .find(e => e.kind === kindRelaxing('automountServiceAccountToken'))?.reason;
  const declared = acceptsField(ctx.accepts, 'automountServiceAccountToken', null) ? inAnnotation ?? 'declared in code' : inAnnotation;
  const decision = decideToken({
    spec: specJs,
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    facts: options.tokens?.facts ?? NO_FACTS,
    settings: options.tokens?.settings ?? { reasons: new Map(), strict: false },
    words,
    declared,
  });
  if (decision.disable && plan.setIfMissing(spec, 'automountServiceAccountToken', false)) {
    ctx.podFields.push(`automountServiceAccountToken false (ServiceAccount ${decision.account})`);
  }
  report.notes.push(...decision.notes.map(n => `pod: ${n}`));
  if (decision.reason !== undefined) {
    if (options.declareToken) options.declareToken(decision.reason);
    else ctx.reasoned.push(entryOf({ kind: kindRelaxing('automountServiceAccountToken'), reason: decision.reason }));
  }
  for (const account of decision.undeclared) addRuleNote(report, TOKEN_RULE, keptTokenNote(account, words));
  report.problems.push(...decision.problems);
  if (decision.undeclared.length > 0) report.tokenKept = true;
  report.tokenAccounts = [...new Set([decision.account, ...decision.kept])];
}
