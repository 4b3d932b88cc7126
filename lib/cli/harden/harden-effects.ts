/**
 * What the fields `harden` wrote would break if applied as they are (the `~` lines of its report, docs/cli.md): for an
 * object that needs a human, per container, compared on the pod as `audit` reads it before and after.
 *
 * Pure: no cdk8s, cdk8s-plus, constructs or yaml imports.
 */

/**
 * What the fields harden wrote change for each container, when the object needs a human: a human confirms them
 * before applying (docs/cli.md, exit code 1). Compared on the pod as audit reads it, before and after.
 */
export function writtenEffects(before: any, after: any): string[] {
  const list = (x: unknown): any[] => (Array.isArray(x) ? x : []);
  const containers = (spec: any) => [...list(spec?.initContainers), ...list(spec?.containers), ...list(spec?.ephemeralContainers)];
  const old = new Map(containers(before).map(c => [c?.name, c]));
  const out: string[] = [];
  for (const c of containers(after)) {
    const was = old.get(c?.name)?.securityContext ?? {};
    const sc = c?.securityContext ?? {};
    const user = sc.runAsUser ?? after?.securityContext?.runAsUser;
    const wasUser = was.runAsUser ?? before?.securityContext?.runAsUser;
    const effect: string[] = [];
    if (user !== wasUser && typeof user === 'number') effect.push(`runs as UID ${user} (files its image gives another user are no longer its own)`);
    const nonRoot = (sc.runAsNonRoot ?? after?.securityContext?.runAsNonRoot) === true;
    if (nonRoot && (was.runAsNonRoot ?? before?.securityContext?.runAsNonRoot) !== true && typeof user !== 'number') {
      effect.push('must run as non-root without a numeric user (the kubelet refuses an image whose USER is root or a name)');
    }
    if (list(sc.capabilities?.drop).includes('ALL') && !list(was.capabilities?.drop).includes('ALL')) {
      effect.push('has every capability dropped (as root: chown, setuid/setgid and binding ports below 1024 fail with EPERM)');
    }
    if (sc.allowPrivilegeEscalation === false && was.allowPrivilegeEscalation !== false) effect.push('cannot gain privileges (setuid binaries such as su and sudo stop working)');
    if (sc.readOnlyRootFilesystem === true && was.readOnlyRootFilesystem !== true) {
      effect.push('has a read-only root filesystem (writes outside its volumes fail with EROFS)');
    }
    if (effect.length > 0) out.push(`container "${c.name}" now ${effect.join(', ')}`);
  }
  return out;
}
