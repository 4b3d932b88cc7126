/**
 * hostPath: the pod may mount the named node directories or files (`hostPath` volumes, added by
 * the author). Pod-only. Relaxes hostPathVolumes and restrictedVolumes, for the hostPath volumes it
 * covers only (docs/architecture.md, "The exemption model"):
 *
 * - a volume whose `hostPath.path`, spelled clean (paths.ts, `CLEAN_HOST_PATH`), is one of `paths`
 *   or below one of them by whole segments (`/var/log` covers `/var/log/pods`, not `/var/logs`);
 * - unless the exemption is `writable`: only when every mount of that volume, in every init, regular
 *   and ephemeral container, has `readOnly: true`, the volume is not a `Socket`, `CharDevice` or
 *   `BlockDevice` (usable through a read-only mount) nor `DirectoryOrCreate` / `FileOrCreate` (the
 *   kubelet creates it on the node), and at or below `/dev`, `/run`, `/var/run` it is of type `File`
 *   (`SPECIAL_FILE_DIRS`). `recursiveReadOnly` is not required
 *   (cdk8s-plus-27 cannot write it, and API servers before 1.31 drop it: alpha in 1.30, beta in
 *   1.31): submounts below the path stay writable unless the author sets it;
 * - never a node path (`NODE_PATHS`: the kubelet's and Kubernetes' files, the container runtimes'
 *   sockets, state and storage), nor anything above or below one (`/`, `/var`, `/run`, `/var/run` …
 *   hold them): a UNIX socket connects through a read-only mount, and these files are the node's
 *   credentials. An exemption naming one is refused (the codec voids the annotation); no workload
 *   exemption covers them.
 *
 * The admission policy checks the same in CEL (`cel`, assembled by lib/admission/).
 */
import { CLEAN_HOST_PATH, isCleanHostPath, pathWithin } from '../../hardening/paths';
import { SPEC, celString } from '../../policy/checks/cel';
import { containersOf } from '../../policy/k8s-shapes';
import { ExemptionKind } from '../exemption-kind';
import type { ExemptionKindSpec, ExemptionValue, JsonObject } from '../kind';
import { listAt, objectAt } from './common';

/**
 * Node paths no hostPath exemption covers, read-only or not, nor any path above or below them: the
 * kubelet's directory (other pods' volumes and secrets, its credentials), Kubernetes' configuration
 * (the node's and the control plane's credentials), and each container runtime's socket, state and
 * storage (containerd, Docker and cri-dockerd, CRI-O and Podman, k3s / RKE2). `/var/run` is usually a
 * link to `/run` on the node, so both spellings are listed.
 */
export const NODE_PATHS: readonly string[] = Object.freeze([
  '/var/lib/kubelet', '/etc/kubernetes',
  '/run/containerd', '/var/run/containerd', '/var/lib/containerd',
  '/run/docker.sock', '/var/run/docker.sock', '/run/docker', '/var/run/docker', '/var/lib/docker',
  '/run/cri-dockerd.sock', '/var/run/cri-dockerd.sock', '/run/dockershim.sock', '/var/run/dockershim.sock',
  '/run/crio', '/var/run/crio', '/var/lib/containers', '/run/containers', '/var/run/containers',
  '/run/podman', '/var/run/podman', '/run/k3s', '/var/run/k3s', '/var/lib/rancher',
  // the same credentials where other distributions keep them: etcd's data (every Secret of the cluster), k3s' and RKE2's
  // configuration (an admin kubeconfig, the node token), k0s' and MicroK8s' kubelet, runtime and certificates, minikube's
  // and kops' / kube-up's PKI (the cluster CA's key), and the CNI configuration (Calico's and Multus' kubeconfigs hold their
  // service-account tokens)
  '/etc/cni', '/var/lib/etcd', '/etc/rancher', '/var/lib/k0s', '/etc/k0s', '/run/k0s', '/var/run/k0s', '/var/snap/microk8s',
  '/var/lib/minikube', '/srv/kubernetes',
]);

/**
 * The most host paths the hostPath entries of one annotation (or one exemption) name in all: each
 * hostPath volume is compared with each path, which bounds the admission policy's cost.
 */
export const MAX_HOST_PATHS = 16;

/**
 * hostPath types a read-only exemption does not cover: a socket connects and a device node opens for writing through a
 * read-only mount (the kernel takes no write access on the mount for special files), and the kubelet creates a
 * `DirectoryOrCreate` / `FileOrCreate` path on the node (as root) before it mounts anything.
 */
const READ_ONLY_UNSAFE_TYPES: readonly string[] = ['Socket', 'CharDevice', 'BlockDevice', 'DirectoryOrCreate', 'FileOrCreate'];

/**
 * Where the node keeps its device nodes and sockets (`/dev`; `/run`, `/var/run`: D-Bus, systemd …). With `type` unset or
 * `""` the kubelet checks nothing, and a `Directory` holds what it holds: at or below these a read-only exemption covers a
 * volume only of type `File`, which the kubelet checks is a regular file. The pattern (RE2 and JavaScript) is the one rule.
 */
export const SPECIAL_FILE_DIRS: readonly string[] = Object.freeze(['/dev', '/run', '/var/run']);
const SPECIAL_FILE_PATTERN = `^(?:${SPECIAL_FILE_DIRS.join('|')})(?:/|$)`;
const SPECIAL_FILE_RE = new RegExp(SPECIAL_FILE_PATTERN);

const escape = (s: string) => s.replace(/[.+]/g, c => `\\${c}`);
/** The directories above the node paths (`/var`, `/var/lib`, `/run` …), `/` excluded. */
const ABOVE = [...new Set(NODE_PATHS.flatMap(p => p.split('/').slice(1, -1).map((_, i, s) => `/${s.slice(0, i + 1).join('/')}`)))];

/**
 * A node path, a path above one or a path below one (RE2 and JavaScript; no anchors, no `"`): the
 * one rule, used by the codec's reader, the revert and the admission policy.
 */
export const NODE_PATH_PATTERN = `(?:/|${ABOVE.map(escape).join('|')}|(?:${NODE_PATHS.map(escape).join('|')})(?:/[^"]*)?)`;
const NODE_PATH_RE = new RegExp(`^${NODE_PATH_PATTERN}$`);

/** Whether a clean path is a node path, above one or below one (`NODE_PATH_PATTERN`). */
export function isNodePath(path: string): boolean {
  return NODE_PATH_RE.test(path);
}

/** The node path a path is, holds or lies below (for messages); `/` for the root. */
function nodePathOf(path: string): string {
  if (path === '/') return '/';
  return NODE_PATHS.find(n => pathWithin(path, n) || pathWithin(n, path)) ?? '/';
}

/** The key an entry's paths follow in a canonical annotation, and what follows them. */
const PATHS_KEY = '"paths":[';
const WRITABLE_KEY = '],"writable":';

/**
 * CEL: the paths of the honoured hostPath entries whose `writable` is `writable`. In a canonical
 * annotation an entry after `{"id":"` reads `hostPath","container":null,"paths":["/a","/b"],"writable":false,"reason":"…"}`;
 * paths hold no `"`, `,` or `]`, reasons no `"`, so the text between `"paths":[` and the next `]`
 * is the quoted list, and its parts that start with `/` are the paths.
 */
function celPaths(writable: boolean): string {
  return `variables.exemptionsCanonical ? variables.exemptionEntries.filter(p, p.startsWith(${celString(`${ExemptionKind.HOST_PATH}"`)}) `
    + `&& p.split(${celString(WRITABLE_KEY)})[1].startsWith('${writable}'))`
    + `.map(p, p.split(${celString(`,${PATHS_KEY}`)})[1].split(']')[0]).join(',').split('"').filter(d, d.startsWith('/')) : []`;
}

const WITHIN = "v.hostPath.path == d || v.hostPath.path.startsWith(d + '/')";

/** The containers (names) that mount volume `name` without `readOnly: true`. */
function writers(spec: JsonObject, name: unknown): string[] {
  return containersOf(spec)
    .filter(c => listAt(c.volumeMounts).some(m => objectAt(m).name === name && objectAt(m).readOnly !== true))
    .map(c => String(c.name));
}

/** Why `e` does not cover hostPath volume `v` of `spec` (a sentence with its fix), or undefined when it does. */
function notCovered(spec: JsonObject, v: JsonObject, e: ExemptionValue): string | undefined {
  const source = objectAt(v.hostPath);
  const path: unknown = source.path;
  const at = `volume "${v.name}" (hostPath ${JSON.stringify(path)})`;
  if (path === '/' || (isCleanHostPath(path) && isNodePath(path))) {
    return `${at} is the node's ${nodePathOf(path)}, or holds or lies below it: no hostPath exemption covers it, read-only or not (a container `
      + 'runtime socket connects through a read-only mount; the kubelet\'s and Kubernetes\' files are the node\'s credentials). Fix: mount a '
      + 'narrower directory; a node agent that needs it runs in a namespace of its own at Pod Security level privileged, which the admission policy does not select.';
  }
  if (!isCleanHostPath(path)) {
    return `${at} is not spelled as an absolute, clean path (no empty, "." or ".." segment, no trailing "/"; letters, digits and -._~+@=:% only), `
      + 'so no hostPath exemption covers it. Fix: write the path as the node resolves it, and name that path in the exemption.';
  }
  // what the codec and the factory accept; anything else (a value that bypassed them) covers nothing
  const paths = (Array.isArray(e.paths) ? e.paths : []).filter(d => isCleanHostPath(d) && !isNodePath(d));
  if (!paths.some(d => pathWithin(path, d))) {
    return `${at} is outside the exemption's paths (${paths.join(', ') || 'none'}). Fix: add it to Exemption.hostPath's paths, or mount a path the exemption names.`;
  }
  if (e.writable === true) return undefined;
  if (typeof source.type === 'string' && READ_ONLY_UNSAFE_TYPES.includes(source.type)) {
    return `${at} has type ${source.type}, which ${source.type.endsWith('OrCreate') ? 'the kubelet creates on the node' : 'a container can use through a read-only mount'}, `
      + 'and the exemption covers read-only mounts only. Fix: if the workload must use it, declare the exemption with writable: true.';
  }
  if (SPECIAL_FILE_RE.test(path) && source.type !== 'File') {
    return `${at} is where the node keeps device nodes and sockets (${SPECIAL_FILE_DIRS.join(', ')}), which a container can use through a read-only mount, `
      + `and its type ${source.type === undefined || source.type === '' ? 'is unset (the kubelet checks nothing)' : `${JSON.stringify(source.type)} does not exclude them`}. `
      + 'Fix: mount a regular file with type: File, or declare the exemption with writable: true.';
  }
  const w = writers(spec, v.name);
  if (w.length > 0) {
    return `${at} is mounted writable by container${w.length > 1 ? 's' : ''} ${w.map(n => `"${n}"`).join(', ')}, and the exemption covers read-only mounts only. `
      + 'Fix: mount it with readOnly: true (and recursiveReadOnly: IfPossible where the cluster has it, or submounts stay writable), '
      + 'or declare the exemption with writable: true.';
  }
  return undefined;
}

const hostPathVolumes = (spec: JsonObject): JsonObject[] => listAt(spec.volumes).filter(v => objectAt(v).hostPath !== undefined) as JsonObject[];

export const HOST_PATH: ExemptionKindSpec = {
  id: ExemptionKind.HOST_PATH,
  podOnly: true,
  field: 'paths',
  relaxes: ['hostPathVolumes', 'restrictedVolumes'],
  cel: {
    volumeSource: 'hostPath',
    volumeCondition: 'v.name in variables.hostPathCovered',
    entryVariables: [
      { name: 'hostPathsReadOnly', expression: celPaths(false) },
      { name: 'hostPathsWritable', expression: celPaths(true) },
    ],
    // no path of a hostPath entry is a node path (in a canonical annotation `"paths":[` starts a list of quoted paths), and
    // at most MAX_HOST_PATHS in all
    valid: `!variables.exemptions.matches(${celString(`"paths":\\[(?:"[^"]*",)*"${NODE_PATH_PATTERN}"[,\\]]`)}) `
      + `&& size(variables.hostPathsReadOnly) + size(variables.hostPathsWritable) <= ${MAX_HOST_PATHS}`,
    variables: [
      { name: 'hostPathVolumes', expression: `has(${SPEC}.volumes) ? ${SPEC}.volumes.filter(v, has(v.hostPath)) : []` },
      {
        name: 'hostPathCovered',
        // only for a valid annotation (which bounds the paths to MAX_HOST_PATHS): the policy's cost rests on it
        expression: `variables.exemptionsValid ? variables.hostPathVolumes.filter(v, has(v.hostPath.path) && v.hostPath.path.matches(${celString(`^${CLEAN_HOST_PATH}$`)}) `
          + `&& !v.hostPath.path.matches(${celString(`^${NODE_PATH_PATTERN}$`)}) && (variables.hostPathsWritable.exists(d, ${WITHIN}) `
          + `|| (variables.hostPathsReadOnly.exists(d, ${WITHIN}) && !(has(v.hostPath.type) && v.hostPath.type in ${`[${READ_ONLY_UNSAFE_TYPES.map(celString).join(', ')}]`}) `
          + `&& (!v.hostPath.path.matches(${celString(SPECIAL_FILE_PATTERN)}) || (has(v.hostPath.type) && v.hostPath.type == 'File')) `
          + '&& variables.containers.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, m.name != v.name || (has(m.readOnly) && m.readOnly == true)))))).map(v, v.name) : []',
      },
    ],
  },
  fields: 'spec.volumes[].hostPath: the named host paths, mounted read-only unless writable',
  hint: "Exemption.hostPath(reason, { paths: ['/var/log'] })",
  detect: ({ spec, container }) => {
    if (container) return undefined;
    const volumes = hostPathVolumes(spec);
    if (volumes.length === 0) return undefined;
    const paths = [...new Set(volumes.map(v => objectAt(v.hostPath).path).filter((p): p is string => typeof p === 'string'))];
    // writable when a container writes it, or when only a writable exemption covers it (a socket, a device, a path the kubelet creates)
    const own = (v: JsonObject, writable: boolean): ExemptionValue => ({ kind: ExemptionKind.HOST_PATH, reason: '', paths: [objectAt(v.hostPath).path as string], writable });
    const writable = volumes.some(v => writers(spec, v.name).length > 0
      || (notCovered(spec, v, own(v, false)) !== undefined && notCovered(spec, v, own(v, true)) === undefined));
    return { what: `the pod mounts node files (hostPath ${paths.join(', ')}${writable ? ', writable' : ''})`, paths, writable };
  },
  fieldProblems: entry => {
    const problems: { key: string; problem: string }[] = [];
    const push = (problem: string, key = 'paths') => problems.push({ key, problem });
    const paths: unknown = entry.paths;
    if (!Array.isArray(paths) || paths.length === 0) {
      push(`${JSON.stringify(paths)} is not a list of host paths. Fix: name the paths the pod mounts, e.g. { paths: ['/var/log'] }.`);
    } else if (paths.length > MAX_HOST_PATHS) {
      push(`${paths.length} paths: at most ${MAX_HOST_PATHS}. Fix: name the directories that hold them.`);
    } else {
      for (const p of paths) {
        if (p !== '/' && !isCleanHostPath(p)) {
          push(`${JSON.stringify(p)} is not an absolute, clean host path (no empty, "." or ".." segment, no trailing "/", not "/"; `
            + 'letters, digits and -._~+@=:% only). Fix: write it as the node resolves it, e.g. /var/log.');
        } else if (isNodePath(p)) {
          push(`${JSON.stringify(p)} is the node's ${nodePathOf(p)}, or holds or lies below it: no hostPath exemption covers it, read-only or not `
            + '(a container runtime socket connects through a read-only mount; the kubelet\'s and Kubernetes\' files are the node\'s credentials). '
            + 'Fix: name a narrower directory; a node agent that needs it runs in a namespace of its own at Pod Security level privileged, '
            + 'which the admission policy does not select.');
        }
      }
    }
    if (typeof entry.writable !== 'boolean') push(`${JSON.stringify(entry.writable)} is not a boolean. Fix: use true or false.`, 'writable');
    return problems;
  },
  annotationProblems: entries => {
    const n = entries.reduce((sum, e) => sum + (Array.isArray(e.paths) ? e.paths.length : 0), 0);
    return n > MAX_HOST_PATHS ? [`the hostPath exemptions name ${n} paths in all: at most ${MAX_HOST_PATHS}. Fix: name the directories that hold them.`] : [];
  },
  // the exemption permits the author's own hostPath volumes that it covers; it adds none
  revertPod: (spec, e) => {
    if (!Array.isArray(spec.volumes)) return;
    spec.volumes.forEach((v: any, i: number) => {
      if (typeof v === 'object' && v !== null && v.hostPath !== undefined && notCovered(spec, v, e) === undefined) spec.volumes[i] = { name: v.name, emptyDir: {} };
    });
  },
  // a volume none of them covers, with the first one's reason
  uncovered: (spec, es) => hostPathVolumes(spec).map(v => es.map(e => notCovered(spec, v, e)))
    .filter(reasons => reasons.every(r => r !== undefined)).map(reasons => reasons[0]!),
};
