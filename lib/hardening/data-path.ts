/**
 * Internal: where a container of a preset image keeps its data, read as the image reads it, and
 * the one rule that judges its mounts against it. The constructs (verify.ts, on the synthesized
 * pod), the adopt stage (`applyTo`, `harden`: adopt/container.ts) and the startability checklist
 * (startability.ts) all call `dataPathFindings`, so the same container gets the same findings in
 * every mode.
 *
 * - The role: a container of a preset image is the server unless its `command` (or `args[0]` when
 *   `command` is unset) is a client or utility the image's facts list (`pg_dump`, `redis-cli`, …);
 *   a shell or an unknown command gives a note, never a refusal.
 * - The data directory: the image's environment variable when the container sets it (`PGDATA`),
 *   or the server's option in the container's command and args (`mysqld --datadir=DIR`, `--datadir DIR`,
 *   `-h DIR`, with the `--loose-` modifier and `_` for `-`; the last one wins, as mysqld reads it; a datadir in a configuration file cannot be read
 *   from the manifest), else the image's default for its major version (postgres ≤ 17: `/var/lib/postgresql/data`;
 *   ≥ 18: `/var/lib/postgresql/<major>/docker`), else the preset's `dataPath`. A value from
 *   `valueFrom`/`envFrom` cannot be read: a note.
 * - A claim is accepted when the data directory is at or below its mount, except at the mount itself
 *   for an image whose initialisation refuses a non-empty directory (a new volume's `lost+found`):
 *   postgres (initdb) and mysql (`mysqld --initialize-insecure`, docker-library tags 5.7, 8.0, 8.4,
 *   9.x and untagged; only entries whose name starts with `.` are allowed; 5.5 and 5.6 ran
 *   `mysql_install_db`, which accepts it), unless for mysql the mount shows a subdirectory of the volume
 *   (`subPath`/`subPathExpr`: the kubelet creates it empty, group-writable; not for postgres, whose initdb must own it), the directory is set explicitly (PGDATA,
 *   `--datadir`: the human says the data is there), for mysql 5.7 `--ignore-db-dir=lost+found` is
 *   passed (8.0 removed the option: refused, saying so), or an init container mounting the same
 *   volume names lost+found in its command (it removes it: a note). MariaDB's `mariadb-install-db` starts with lost+found in
 *   its datadir (it shows as a schema `#mysql50#lost+found`), so it is not refused. A message about
 *   an existing claim never suggests moving its mountPath (a moved claim starts an empty database).
 *
 * Pure: no cdk8s, cdk8s-plus or constructs imports. Not exported from the package.
 */
import { posix } from 'path';
import { ImagePreset } from './image-preset';
import { cleanPath, isAtOrBelow, placeOf } from './paths';

/** What the data-path rule knows of an image beyond its preset, keyed by preset name. */
interface DataFacts {
  /** The environment variable that moves the data directory. */
  readonly env?: string;
  /** The default data directory of a major version (undefined: the preset's dataPath). */
  readonly directory?: (major: number) => string;
  /** A mount path the image refuses to start with, by major version, when `env` is not set. */
  readonly refusedMount?: (major: number) => string | undefined;
  /** The commands that run the server itself, besides the image's entrypoint. */
  readonly servers: readonly string[];
  /** Clients and utilities: a container running one of them keeps no data. */
  readonly utilities: readonly string[];
  /**
   * The server refuses a data directory that is a volume's root (a fresh volume's lost+found makes it non-empty): the
   * program that refuses it, for messages (`initdb`, `mysqld --initialize`).
   */
  readonly refusesMountRoot?: string;
  /** The server's option that sets the data directory (`--datadir`), and its short form (`-h`). */
  readonly option?: { readonly long: string; readonly short?: string };
  /**
   * An option that makes the server accept lost+found in its data directory, and the last major version that has it
   * (mysql 5.7's `--ignore-db-dir=lost+found`; 8.0 removed the option, so mysqld refuses to start with it).
   */
  readonly acceptsLostFound?: { readonly option: string; readonly value: string; readonly untilMajor: number };
  /**
   * The first version whose initialisation refuses a non-empty directory (mysql 5.7: `mysqld --initialize`; 5.5 and 5.6
   * ran `mysql_install_db`, which starts with lost+found). An older tag is not refused; a tag without a version is.
   */
  readonly refusesMountRootFrom?: { readonly major: number; readonly minor: number };
  /**
   * A subPath at the data directory starts: the kubelet creates it with the volume root's mode (group-writable for
   * fsGroup), without lost+found, and the server only writes into it (mysql). Not postgres: initdb must own the directory
   * to chmod it 0700, and the kubelet creates it as root.
   */
  readonly acceptsSubPath?: true;
}

/** Commands that keep no data in any image. */
const COMMON_UTILITIES = ['sleep', 'true', 'false', 'echo', 'cat', 'ls', 'date', 'tail', 'curl', 'wget'];
/** Commands whose argument decides what runs: a note, never a refusal. */
const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh', 'busybox'];
/** Entry points that run the server, or pass their first argument on (docker-library's convention). */
const ENTRYPOINTS = ['docker-entrypoint.sh', 'entrypoint.sh', 'tini', 'dumb-init', 'gosu', 'su-exec', 'env'];
/** Wrappers whose first argument is the user to run as (`gosu postgres postgres`, `su-exec 70:70 postgres`). */
const USER_WRAPPERS = ['gosu', 'su-exec'];

const POSTGRES: DataFacts = {
  env: 'PGDATA',
  directory: major => (major <= 17 ? '/var/lib/postgresql/data' : `/var/lib/postgresql/${major}/docker`),
  // docker-entrypoint.sh (18+): with the default PGDATA and a mount at /var/lib/postgresql/data it stops ("unused mount/volume")
  refusedMount: major => (major >= 18 ? '/var/lib/postgresql/data' : undefined),
  servers: ['postgres', 'pg_ctl', 'postmaster'],
  refusesMountRoot: 'initdb',
  utilities: ['psql', 'pg_dump', 'pg_dumpall', 'pg_restore', 'pg_isready', 'pg_basebackup', 'pg_receivewal', 'createdb', 'dropdb',
    'createuser', 'dropuser', 'vacuumdb', 'reindexdb', 'clusterdb', 'pgbench'],
};
const REDIS: DataFacts = { servers: ['redis-server', 'redis-sentinel'], utilities: ['redis-cli', 'redis-benchmark', 'redis-check-aof', 'redis-check-rdb'] };
const MARIADB: DataFacts = {
  servers: ['mysqld', 'mariadbd', 'mysqld_safe', 'mariadbd-safe'],
  utilities: ['mysql', 'mysqldump', 'mysqladmin', 'mysqlcheck', 'mysqlimport', 'mysqlpump', 'mysqlsh', 'mysqlbinlog', 'mariadb', 'mariadb-dump',
    'mariadb-admin', 'mariadb-check', 'mariadb-import', 'mariadb-backup', 'mariabackup', 'healthcheck.sh'],
  option: { long: '--datadir', short: '-h' },
};
// docker-library mysql: the entrypoint runs `mysqld --initialize-insecure` when $DATADIR/mysql is missing, which aborts
// ("--initialize specified but the data directory has files in it") on anything but dot-entries; DATADIR is read from
// `mysqld --verbose --help` with the container's arguments, so --datadir in args moves it
const MYSQL: DataFacts = {
  ...MARIADB,
  refusesMountRoot: 'mysqld --initialize',
  refusesMountRootFrom: { major: 5, minor: 7 },
  acceptsSubPath: true,
  acceptsLostFound: { option: '--ignore-db-dir', value: 'lost+found', untilMajor: 5 },
};

const FACTS: Readonly<Record<string, DataFacts>> = {
  'postgres': POSTGRES,
  'postgres-alpine': POSTGRES,
  'redis': REDIS,
  'redis-alpine': REDIS,
  'mysql': MYSQL,
  'mariadb': MARIADB,
  'mongo': { servers: ['mongod', 'mongos'], utilities: ['mongosh', 'mongo', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'mongostat', 'mongotop'] },
  'elasticsearch': { servers: ['elasticsearch', 'eswrapper'], utilities: ['elasticsearch-keystore', 'elasticsearch-plugin', 'elasticsearch-certutil', 'elasticsearch-users'] },
  'grafana': { servers: ['grafana', 'grafana-server', 'run.sh'], utilities: ['grafana-cli'] },
  'prometheus': { servers: ['prometheus'], utilities: ['promtool'] },
  'rabbitmq': { servers: ['rabbitmq-server'], utilities: ['rabbitmqctl', 'rabbitmq-diagnostics', 'rabbitmq-plugins', 'rabbitmq-queues', 'rabbitmqadmin'] },
};

/** What a container runs, as far as its command tells. */
export type ContainerRole = 'server' | 'utility' | 'unknown';

/** The container's role for its preset, and what it runs (for messages). */
export function containerRole(preset: ImagePreset, container: any): { role: ContainerRole; program?: string } {
  const facts = FACTS[preset.name];
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(v => (typeof v === 'string' ? v : '')) : []);
  const command = strings(container?.command);
  const args = strings(container?.args);
  // command replaces the entrypoint; unset, the image's entrypoint gets args
  let run = command.length > 0 ? [...command, ...args] : args;
  while (run.length > 0 && ENTRYPOINTS.includes(base(run[0]))) {
    const wrapper = base(run[0]);
    run = run.slice(USER_WRAPPERS.includes(wrapper) ? 2 : 1);
    // env runs what follows its options and NAME=value run; tini and dumb-init take `--` before the program
    if (wrapper === 'env') {
      while (run.length > 0 && (run[0].includes('=') || run[0].startsWith('-'))) run = run.slice(1);
      if (run.length === 0) return { role: 'utility', program: 'env' }; // env alone prints the environment
    }
    if (run[0] === '--') run = run.slice(1);
  }
  const first = run[0];
  if (first === undefined || first.startsWith('-')) return { role: 'server' };
  const program = base(first);
  if (facts?.servers.includes(program) || program === preset.name) return { role: 'server', program };
  if (facts?.utilities.includes(program) || COMMON_UTILITIES.includes(program)) return { role: 'utility', program };
  return { role: 'unknown', program: SHELLS.includes(program) ? `${program} (a shell)` : program };
}

/** The data directory of a server container: where its image writes its data. */
export interface DataDirectory {
  /** The cleaned directory, or undefined when it cannot be known from the manifest. */
  readonly path?: string;
  /** Where it comes from: the environment variable, the server's option, the image's version, or the preset. */
  readonly from: 'env' | 'option' | 'version' | 'preset' | 'unknown';
  /** For `option`: the option that set it (e.g. `--datadir`). */
  readonly option?: string;
  /** For `unknown`: why (for the note). */
  readonly why?: string;
  /** For an unknown version: the directory that holds every version's default (the preset's data path). */
  readonly within?: string;
  /** A mount path the image refuses to start with. */
  readonly refusedMount?: string;
  /** The environment variable that moves it (e.g. PGDATA). */
  readonly env?: string;
}

/** The major version in an image tag (`postgres:16-alpine` → 16, `postgres:17.2` → 17); undefined for `latest`, a bare variant or a digest. */
export function majorVersion(image: unknown): number | undefined {
  if (typeof image !== 'string') return undefined;
  const [ref] = image.split('@');
  const colon = ref.indexOf(':', ref.lastIndexOf('/') + 1);
  const m = colon < 0 ? null : /^(\d+)(?:[.\-_]|$)/.exec(ref.slice(colon + 1));
  return m ? Number(m[1]) : undefined;
}

/** The major and minor version in an image tag (`mysql:5.6.51` → 5, 6; `mysql:8` → 8, undefined); undefined without one. */
function tagVersion(image: unknown): { major: number; minor?: number } | undefined {
  const major = majorVersion(image);
  if (major === undefined) return undefined;
  const ref = String(image).split('@')[0];
  const m = /^\d+\.(\d+)/.exec(ref.slice(ref.indexOf(':', ref.lastIndexOf('/') + 1) + 1));
  return { major, minor: m ? Number(m[1]) : undefined };
}

/**
 * The value the kubelet gives the container's env entry at `index`: `$(NAME)` replaced by the value of an entry defined
 * before it (envFrom, then env in order), `$$` read as `$`, a reference to a name not defined left as written. A reference
 * to a value the manifest does not give (valueFrom, or a name envFrom may define) cannot be known: `{ unknown: NAME }`.
 */
function envValue(container: any, index: number): string | { unknown: string } {
  const env: any[] = container.env;
  const envFrom = Array.isArray(container?.envFrom) && container.envFrom.length > 0;
  const defined = new Map<string, string | undefined>();
  let result: string | { unknown: string } = '';
  for (let i = 0; i <= index; i++) {
    const e = env[i];
    if (typeof e?.name !== 'string') continue;
    if (e.valueFrom !== undefined || typeof e.value !== 'string') {
      defined.set(e.name, e.valueFrom !== undefined ? undefined : '');
      continue;
    }
    let unknown: string | undefined;
    const value = e.value.replace(/\$\$|\$\(([^)]*)\)/g, (ref: string, name?: string) => {
      if (name === undefined) return '$';
      if (defined.has(name)) {
        const v = defined.get(name);
        if (v === undefined) unknown ??= name;
        return v ?? ref;
      }
      if (envFrom) unknown ??= name;
      return ref;
    });
    defined.set(e.name, unknown === undefined ? value : undefined);
    if (i === index) result = unknown === undefined ? value : { unknown };
  }
  return result;
}

/** The words a container runs: its command and args (command replaces the entrypoint, which gets args). */
function words(container: any): string[] {
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(v => (typeof v === 'string' ? v : '')) : []);
  return [...strings(container?.command), ...strings(container?.args)];
}

/**
 * A long option's name as mysqld and mariadbd read it: without the `--loose-` modifier (the option is applied when the
 * server knows it), with `_` read as `-` (the MySQL reference: "dash and underscore may be used interchangeably" in
 * option names). `--loose_datadir=DIR` and `--datadir=DIR` both name `--datadir`.
 */
function optionName(word: string): string {
  const name = `--${word.slice(2).replace(/_/g, '-')}`;
  return name.startsWith('--loose-') ? `--${name.slice('--loose-'.length)}` : name;
}

/**
 * The value of a server option in the container's words, as mysqld reads them: `--NAME=VALUE` or `--NAME VALUE`
 * (with the `--loose-` modifier and `_` for `-` in the name), or for the short form `-h DIR` or `-hDIR`; the last
 * one wins. Undefined when none is given.
 */
function optionValue(container: any, option: { readonly long: string; readonly short?: string }): string | undefined {
  const w = words(container);
  let value: string | undefined;
  for (let i = 0; i < w.length; i++) {
    if (w[i].startsWith('--')) {
      const eq = w[i].indexOf('=');
      const name = optionName(eq < 0 ? w[i] : w[i].slice(0, eq));
      if (name !== option.long) continue;
      value = eq < 0 ? w[++i] ?? '' : w[i].slice(eq + 1);
    } else if (option.short !== undefined && w[i] === option.short) {value = w[++i] ?? '';} else if (option.short !== undefined && w[i].startsWith(option.short)) {value = w[i].slice(option.short.length);}
  }
  return value;
}

/** Where the container's image keeps its data. */
export function dataDirectory(preset: ImagePreset, container: any): DataDirectory {
  const facts = FACTS[preset.name];
  const env = facts?.env;
  if (facts?.option) {
    const value = optionValue(container, facts.option);
    if (value !== undefined) {
      if (!value.startsWith('/')) return { from: 'unknown', why: `${facts.option.long} ${JSON.stringify(value)} is not an absolute path` };
      return { path: cleanPath(value), from: 'option', option: facts.option.long };
    }
  }
  if (env !== undefined) {
    const entries = (Array.isArray(container?.env) ? container.env : []).filter((e: any) => e?.name === env);
    const last = entries[entries.length - 1];
    if (last !== undefined) {
      if (last.valueFrom !== undefined) return { from: 'unknown', why: `${env} comes from valueFrom`, env };
      const value = envValue(container, container.env.lastIndexOf(last));
      if (typeof value === 'object') return { from: 'unknown', why: `${env} refers to $(${value.unknown}), whose value the manifest does not give`, env };
      if (value !== '') return { path: cleanPath(value), from: 'env', env };
    } else if (Array.isArray(container?.envFrom) && container.envFrom.length > 0) {
      return { from: 'unknown', why: `${env} may come from envFrom`, env };
    }
  }
  // the version is read only from the preset's own image (a preset given for another image says nothing of its tag)
  const major = ImagePreset.forImage(container?.image)?.name === preset.name ? majorVersion(container?.image) : undefined;
  if (facts?.directory) {
    if (major === undefined) {
      if (ImagePreset.forImage(container?.image)?.name !== preset.name) return { path: cleanPath(preset.dataPath!), from: 'preset', env };
      return { from: 'unknown', why: `the tag of ${JSON.stringify(container?.image)} names no major version`, env, within: preset.dataPath && cleanPath(preset.dataPath) };
    }
    return { path: facts.directory(major), from: 'version', refusedMount: facts.refusedMount?.(major), env };
  }
  return preset.dataPath === undefined ? { from: 'unknown', why: 'the preset names no data path' } : { path: cleanPath(preset.dataPath), from: 'preset', env };
}

/** A volume mount of the container, with what backs it. */
export interface Mount {
  readonly path: string;
  readonly name: string;
  readonly claim: boolean;
  readonly readOnly: boolean;
  /**
   * Whether the mount shows the volume's root (no `subPath`/`subPathExpr`, or one that names the root): a subPath mounts a
   * directory the kubelet creates empty, so a new volume's lost+found is not in it.
   */
  readonly volumeRoot: boolean;
}

/** What the data-path rule found: problems keep a pod from starting or its data from the claim; notes need a look. */
export interface DataPathFindings {
  readonly problems: string[];
  readonly notes: string[];
}

/**
 * The data-path rule for one container of a pod spec (API field names).
 * @param preset the container's preset (its own, or found by its image)
 * @param readOnlyRoot whether its root filesystem is read-only in the resulting pod
 * @param where how messages name the container, e.g. `container "db"`
 */
export function dataPathFindings(spec: any, container: any, preset: ImagePreset, readOnlyRoot: boolean, where: string): DataPathFindings {
  const out: DataPathFindings = { problems: [], notes: [] };
  if (preset.dataPath === undefined) return out;
  const { role, program } = containerRole(preset, container);
  if (role === 'utility') return out;
  if (role === 'unknown') {
    out.notes.push(`${where}: runs ${program}, not a command ${preset._source} is known to run: whether it is the server that keeps data `
      + `(in ${preset.dataPath}) cannot be known from the manifest, so its data path is not checked.`);
    return out;
  }
  const mounts = containerMounts(spec, container);
  const claims = mounts.filter(m => m.claim);
  const data = dataDirectory(preset, container);
  if (data.path === undefined) {
    // unknown: a claim that holds the preset's mount path holds every version's default
    // (a writable claim backs it, and nothing else is mounted below it)
    const backing = mountAt(mounts, preset.dataPath!);
    const holdsAll = backing !== undefined && backing.claim && !backing.readOnly
      && !mounts.some(m => m !== backing && isAtOrBelow(m.path, preset.dataPath!));
    const related = mounts.some(m => !m.readOnly && (isAtOrBelow(data.within ?? '/', m.path) || isAtOrBelow(m.path, data.within ?? '/')));
    const readOnlyMount = data.within !== undefined ? mountAt(mounts, data.within) : undefined;
    if (data.within !== undefined && (readOnlyRoot || readOnlyMount?.readOnly) && !related) {
      // whatever the version, the data is below `within`, and nothing writable is mounted there
      out.problems.push(`${where}: ${preset.name} keeps its data below ${data.within} (the directory depends on the major version, which the tag does not name), `
        + `and nothing writable is mounted there: ${readOnlyMount?.readOnly ? `volume "${readOnlyMount.name}" (at ${readOnlyMount.path}) is mounted read-only`
          : 'with the read-only root filesystem'} it cannot write it. Fix: mount a PersistentVolumeClaim at ${data.within}, writable, `
        + '(or an emptyDir for data you can lose).');
    } else if (!holdsAll) {
      out.notes.push(`${where}: ${data.why}, so where ${preset.name} keeps its data cannot be known from the manifest`
        + `${claims.length > 0 ? ` (claims at ${claims.map(m => m.path).join(', ')})` : ''}. Check that it is on a claim`
        + `${data.env ? ` (set ${data.env} explicitly, or pin the image's major version)` : ''}.`);
    }
    return out;
  }
  // the mount deepest over the data directory holds it (an emptyDir below a claim takes the data off the claim)
  const backing = mountAt(mounts, data.path);
  const holder = backing !== undefined && !backing.readOnly ? backing : undefined;
  const from = data.from === 'env' ? ` (${data.env})` : data.from === 'option' ? ` (${data.option})`
    : data.from === 'version' ? ` (the default of ${JSON.stringify(container?.image)})` : '';
  if (data.refusedMount !== undefined) {
    const refused = mounts.find(m => cleanPath(m.path) === data.refusedMount);
    if (refused) {
      out.problems.push(`${where}: volume "${refused.name}" is mounted at ${data.refusedMount}, and the image keeps its data in ${data.path}${from}: `
        + `its entrypoint refuses to start with a mount at ${data.refusedMount} (an older image's data directory). Fix: keep the mount where it is `
        + `(moving it would start an empty database) and set ${data.env} to where the data is: ${data.refusedMount} for data written by this `
        + `major version, or a subdirectory such as ${data.refusedMount}/pgdata for a new volume (a volume's lost+found makes initdb refuse its root); `
        + 'data of an older major version needs pg_upgrade first.');
      return out;
    }
  }
  const claim = holder?.claim ? holder : undefined;
  const facts = FACTS[preset.name];
  if (claim && (claim.volumeRoot || !facts?.acceptsSubPath) && facts?.refusesMountRoot && claim.path === data.path && data.from !== 'env' && data.from !== 'option') {
    const rootProblem = mountRootFindings(spec, container, claim, facts, where);
    if (rootProblem === undefined) return out;
    if (rootProblem.note !== undefined) {
      out.notes.push(rootProblem.note);
      return out;
    }
    out.problems.push(mountRootProblem(where, claim, from, facts, data) + (rootProblem.extra ?? ''));
    return out;
  }
  if (claim) return out;
  if (backing?.readOnly) {
    out.problems.push(`${where}: ${preset.name} keeps its data in ${data.path}${from}, which is on the read-only mount of volume "${backing.name}" `
      + `(at ${backing.path}): it cannot write its data. Fix: mount it writable (remove readOnly; a configMap, secret, downwardAPI or projected volume `
      + 'is always read-only), keeping its mountPath.');
    return out;
  }
  if (claims.length > 0) {
    out.problems.push(`${where}: ${preset.name} keeps its data in ${data.path}${from}, which is not on the claim${claims.length > 1 ? 's' : ''} `
      + `${claims.map(m => `"${m.name}" (at ${m.path})`).join(', ')}${holder ? ` but on volume "${holder.name}" (at ${holder.path})` : ''}: `
      + 'its data would be lost with the pod. Fix: '
      + (data.env ? `set ${data.env} to where the data is on the claim (the directory that holds it, or a subdirectory such as ${claims[0].path}/pgdata `
        + 'for a new volume, whose lost+found makes initdb refuse its root)'
        : facts?.option ? `pass ${facts.option.long}=DIR in the container's args, DIR where the data is on the claim (the directory that holds it, `
          + `or a subdirectory such as ${claims[0].path}/data for a new volume${facts.refusesMountRoot ? `, whose lost+found makes ${facts.refusesMountRoot} refuse its root` : ''})`
          : `configure the image to keep its data below ${claims[0].path} and describe it with ImagePreset.of({ ..., dataPath: '${claims[0].path}' })`)
      + '. Do not move an existing claim\'s mountPath: the image would start with an empty data directory.');
    return out;
  }
  if (holder) return out; // an emptyDir or another writable volume: it starts, data lost with the pod by choice
  if (readOnlyRoot) {
    out.problems.push(`${where}: ${preset.name} keeps its data in ${data.path}${from}, which is not mounted: with the read-only root filesystem it cannot write it. `
      + `Fix: mount a PersistentVolumeClaim at ${data.from === 'env' || data.from === 'option' ? posix.dirname(data.path) : preset.dataPath} (or an emptyDir for data you can lose).`);
  }
  return out;
}

/**
 * Whether the claim's root at the data directory keeps the image from initialising, as far as the manifest tells:
 * undefined when the image's version does not refuse it (mysql before 5.7) or an option makes it accept lost+found
 * (mysql 5.7's `--ignore-db-dir=lost+found`); a note when an init container that mounts the same volume's root removes
 * lost+found (`rm -rf /var/lib/mysql/lost+found`, the old stable/mysql chart); else a problem, with `extra` words for an
 * option that no longer exists in the image's version.
 */
function mountRootFindings(spec: any, container: any, claim: Mount, facts: DataFacts, where: string): { note?: string; extra?: string } | undefined {
  const version = tagVersion(container?.image);
  const from = facts.refusesMountRootFrom;
  const older = from && version && (version.major < from.major || (version.major === from.major && (version.minor ?? from.minor) < from.minor));
  if (older) return undefined;
  let extra: string | undefined;
  const accepts = facts.acceptsLostFound;
  if (accepts && optionValue(container, { long: accepts.option }) === accepts.value) {
    if (version !== undefined && version.major <= accepts.untilMajor) return undefined;
    extra = ` ${accepts.option}=${accepts.value} does not help: the option exists only up to major version ${accepts.untilMajor} `
      + `(${version === undefined ? `the tag of ${JSON.stringify(container?.image)} names no version, and current ones are later` : `this is ${version.major}`}), `
      + 'and a server that does not know it refuses to start.';
  }
  const remover = (Array.isArray(spec?.initContainers) ? spec.initContainers : []).find((c: any) =>
    containerMounts(spec, c).some(m => m.name === claim.name && m.volumeRoot && !m.readOnly) && words(c).some(w => w.includes('lost+found')));
  if (remover !== undefined) {
    return {
      note: `${where}: the claim "${claim.name}" is mounted at ${claim.path}, the data directory itself, where a new volume's lost+found makes `
      + `${facts.refusesMountRoot} refuse to initialise; init container "${remover.name}" mounts the same volume and names lost+found in its command, `
      + 'so it is taken to remove it (check that it does).',
    };
  }
  return { extra };
}

/** The claim is mounted at the data directory itself, which the image's initialisation refuses on a new volume (lost+found). */
function mountRootProblem(where: string, claim: Mount, from: string, facts: DataFacts, data: DataDirectory): string {
  const head = `${where}: the claim "${claim.name}" is mounted at ${claim.path}, which is the data directory itself${from}: on a new volume its `
    + `lost+found makes the image's initialisation fail (${facts.refusesMountRoot} refuses a non-empty directory). Fix: keep the mount where it is `
    + '(moving an existing claim starts an empty database) and ';
  if (data.env !== undefined || !facts.option) {
    return `${head}set ${data.env} to a subdirectory of it, e.g. ${claim.path}/pgdata; if this volume already holds the database `
      + `at its root, set ${data.env} to ${claim.path} explicitly to say so.`;
  }
  const o = facts.option.long;
  return `${head}pass ${o}=${claim.path}/data in the container's args (the image's entrypoint reads it and creates the subdirectory), or mount a new `
    + `claim at ${posix.dirname(claim.path)} and keep ${claim.path} below it; if this volume already holds the database at its root, pass `
    + `${o}=${claim.path} explicitly to say so. A datadir set in a configuration file (my.cnf, conf.d) cannot be read from the manifest: `
    + `if one sets it, pass the same ${o} in args.`;
}

function base(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/**
 * The mount that backs `path` in the container: the deepest mount at or above it (the runtime mounts a deeper path over a
 * shallower one, whatever their order), compared as places (`/var/run` is `/run`). Two mounts at the same place (the API
 * compares the strings, so `/tmp` and `/tmp/` both pass): the read-only one, if any, as the safe reading.
 */
export function mountAt(mounts: readonly Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  let depth = -1;
  for (const m of mounts) {
    if (!isAtOrBelow(path, m.path)) continue;
    const d = placeOf(m.path).split('/').filter(x => x !== '').length;
    if (d > depth || (d === depth && m.readOnly)) [best, depth] = [m, d];
  }
  return best;
}

/** Whether `path` is writable in the container: the mount that backs it is writable. */
export function writableAt(mounts: readonly Mount[], path: string): boolean {
  const m = mountAt(mounts, path);
  return m !== undefined && !m.readOnly;
}

/** Volume types the kubelet always mounts read-only (the API data volumes). */
const API_DATA_VOLUMES = ['configMap', 'secret', 'downwardAPI', 'projected'];

/**
 * The volume mounts of a container (API field names), cleaned, with what backs them: a claim
 * (persistentVolumeClaim, ephemeral, or a volume the pod does not declare: a StatefulSet's claim
 * template), and whether the mount is read-only (`readOnly`, or an API data volume).
 */
export function containerMounts(spec: any, container: any): Mount[] {
  const volumes = new Map((Array.isArray(spec?.volumes) ? spec.volumes : []).map((v: any) => [v?.name, v ?? {}]));
  return (Array.isArray(container?.volumeMounts) ? container.volumeMounts : [])
    .filter((m: any) => typeof m?.mountPath === 'string')
    .map((m: any) => {
      const v: any = volumes.get(m.name);
      const claim = v === undefined || v.persistentVolumeClaim !== undefined || v.ephemeral !== undefined;
      const apiData = v !== undefined && API_DATA_VOLUMES.some(k => v[k] !== undefined);
      const sub = typeof m.subPath === 'string' && m.subPath !== '' ? m.subPath : typeof m.subPathExpr === 'string' ? m.subPathExpr : '';
      return { path: cleanPath(m.mountPath), name: String(m.name), claim, readOnly: m.readOnly === true || apiData, volumeRoot: cleanPath(sub) === '/' };
    });
}
