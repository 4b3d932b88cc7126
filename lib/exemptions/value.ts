/**
 * Internal: the immutable values behind the public `Exemption` objects. The state lives in a
 * WeakMap that only this library reaches, so an exemption cannot change after it is made, from
 * TypeScript or from JavaScript; the constructs read it through `exemptionValue`, which also
 * tells a real exemption from a look-alike object.
 */
import type { ExemptionValue } from './kind';

/** The value of every Exemption made by its factories. */
export const EXEMPTION_VALUES = new WeakMap<object, ExemptionValue>();

/** The immutable value of an exemption, or undefined when `e` was not made by the Exemption factories. */
export function exemptionValue(e: unknown): ExemptionValue | undefined {
  return typeof e === 'object' && e !== null ? EXEMPTION_VALUES.get(e) : undefined;
}

/**
 * How an exemption is named in messages, e.g. `Exemption.addCapabilities(["NET_ADMIN"]) for container "vpn"`,
 * `Exemption.hostPath({ paths: ["/var/log"] })`.
 */
export function describeExemption(e: ExemptionValue): string {
  const args = [
    ...(e.capabilities ? [JSON.stringify(e.capabilities)] : []),
    ...(e.profile !== undefined ? [JSON.stringify(e.profile)] : []),
    ...(e.paths !== undefined || e.writable !== undefined
      ? [`{ paths: ${JSON.stringify(e.paths)}${e.writable !== undefined && e.writable !== false ? `, writable: ${JSON.stringify(e.writable)}` : ''} }`] : []),
  ];
  return `Exemption.${e.kind}(${args.join(', ')})${e.container !== undefined ? ` for container "${e.container}"` : ''}`;
}
