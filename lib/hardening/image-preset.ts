import { matchesImage, parseImageReference } from './image-ref';

/**
 * The facts of a container image that running it rootless depends on.
 */
export interface ImagePresetProps {
  /** A short name, e.g. `postgres-alpine`. */
  readonly name: string;

  /** The numeric UID the image's files belong to (its USER, or the user its entrypoint switches to). */
  readonly user: number;

  /** The numeric primary GID of that user. */
  readonly group: number;

  /**
   * The GID volumes are given to through `fsGroup`.
   * @default - `group`
   */
  readonly fsGroup?: number;

  /**
   * Paths the image writes to at run time, outside its data path (each becomes an emptyDir mount).
   * @default []
   */
  readonly writablePaths?: string[];

  /**
   * Where the image keeps its persistent data: mount a PersistentVolumeClaim here.
   * @default - the image keeps no persistent data
   */
  readonly dataPath?: string;

  /**
   * The port the image listens on.
   * @default - no well-known port
   */
  readonly port?: number;

  /**
   * Where the facts come from and what to watch for.
   * @default - none
   */
  readonly notes?: string;

  /**
   * Whether the image also runs under a UID other than `user` (its entrypoint copes with any user
   * whose data directory is writable, e.g. docker-library postgres, redis, mysql): a `user` given for
   * a container of this image is then accepted, with `fsGroup` set so that its volumes are writable.
   * Otherwise a `user` other than `user` is refused unless the container says `customImage`.
   * @default false
   */
  readonly arbitraryUser?: boolean;
}

/**
 * Well-known images as data: the numeric user and group they run as, the paths they write
 * to, and their data path. A preset supplies `user`, `group` and `fsGroup` of a hardened pod
 * and the writable paths of its containers, so nobody guesses a UID.
 *
 * @example
 * new HardenedPod(chart, 'db', { preset: ImagePreset.postgresAlpine(), containers: [{ image: 'postgres:17-alpine' }] });
 */
export class ImagePreset {
  /**
   * Official `postgres` image, Debian variant: user `postgres` 999:999. Data: mount at
   * `/var/lib/postgresql` (PostgreSQL 18+ keeps PGDATA in a versioned subdirectory there; up
   * to 17 PGDATA is `/var/lib/postgresql/data`, also below that mount).
   */
  public static postgres(): ImagePreset {
    return new ImagePreset({
      name: 'postgres',
      user: 999,
      group: 999,
      writablePaths: ['/var/run/postgresql'],
      dataPath: '/var/lib/postgresql',
      port: 5432,
      arbitraryUser: true,
      notes: 'docker-library/postgres Debian: groupadd -r postgres --gid=999; useradd -r -g postgres --uid=999; '
        + 'runs under an arbitrary --user whose data directory is writable (docker-library/postgres#253, nss_wrapper #448, Alpine #1018)',
    });
  }

  /** Official `postgres` image, Alpine variant: user `postgres` 70:70 (not 999, which is the Debian image). */
  public static postgresAlpine(): ImagePreset {
    return new ImagePreset({
      ...ImagePreset.postgres().props,
      name: 'postgres-alpine',
      user: 70,
      group: 70,
      notes: 'docker-library/postgres Alpine: addgroup -g 70 -S postgres; adduser -u 70 -S -D -G postgres',
    });
  }

  /** Official `redis` image, Debian variant: user `redis` 999:999, data in `/data`. */
  public static redis(): ImagePreset {
    return new ImagePreset({
      name: 'redis',
      user: 999,
      group: 999,
      dataPath: '/data',
      port: 6379,
      arbitraryUser: true,
      notes: 'docker-library/redis Debian: groupadd -r -g 999 redis; useradd -r -g redis -u 999 redis; runs under an arbitrary --user whose /data is writable',
    });
  }

  /** Official `redis` image, Alpine variant: user `redis` 999 with primary group 1000 (not 999). */
  public static redisAlpine(): ImagePreset {
    return new ImagePreset({
      ...ImagePreset.redis().props,
      name: 'redis-alpine',
      group: 1000,
      notes: 'docker-library/redis Alpine: addgroup -S -g 1000 redis; adduser -S -G redis -u 999 redis',
    });
  }

  /**
   * `nginxinc/nginx-unprivileged`: user `nginx` 101:101, listens on 8080, keeps its pid and
   * temp files in `/tmp`. Use it instead of `nginx`, which binds port 80 as root.
   */
  public static nginxUnprivileged(): ImagePreset {
    return new ImagePreset({
      name: 'nginx-unprivileged',
      user: 101,
      group: 101,
      port: 8080,
      notes: 'nginxinc/docker-nginx-unprivileged: UID=101, GID=101, pid and *_temp_path moved to /tmp',
    });
  }

  /**
   * Elasticsearch (`docker.elastic.co/elasticsearch/elasticsearch`): runs as uid:gid 1000:0 (the
   * root group, which owns its files); volumes get fsGroup 1000. Data in `/usr/share/elasticsearch/data`.
   */
  public static elasticsearch(): ImagePreset {
    return new ImagePreset({
      name: 'elasticsearch',
      user: 1000,
      group: 0,
      fsGroup: 1000,
      writablePaths: ['/usr/share/elasticsearch/logs'],
      dataPath: '/usr/share/elasticsearch/data',
      port: 9200,
      notes: 'Elastic docs: the container runs Elasticsearch as user elasticsearch using uid:gid 1000:0',
    });
  }

  /** `grafana/grafana`: user `grafana` 472 with the root group 0 (since 7.3); volumes get fsGroup 472. */
  public static grafana(): ImagePreset {
    return new ImagePreset({
      name: 'grafana',
      user: 472,
      group: 0,
      fsGroup: 472,
      writablePaths: ['/var/log/grafana'],
      dataPath: '/var/lib/grafana',
      port: 3000,
      notes: 'grafana Dockerfile: ARG GF_UID="472", ARG GF_GID="0"',
    });
  }

  /**
   * `prom/prometheus`: `USER nobody`, i.e. 65534:65534. A user name cannot be verified by the
   * kubelet under `runAsNonRoot`, so the numeric UID must be set. Data in `/prometheus`.
   */
  public static prometheus(): ImagePreset {
    return new ImagePreset({
      name: 'prometheus',
      user: 65534,
      group: 65534,
      dataPath: '/prometheus',
      port: 9090,
      notes: 'prometheus Dockerfile: USER nobody (busybox: 65534:65534)',
    });
  }

  /**
   * Official `node` image: it runs as root by default; its `node` user is 1000:1000.
   */
  public static node(): ImagePreset {
    return new ImagePreset({
      name: 'node',
      user: 1000,
      group: 1000,
      notes: 'docker-library/node: user node 1000:1000 exists but the image has no USER (runs as root)',
    });
  }

  /** Official `mysql` image: user `mysql` 999:999, socket in `/var/run/mysqld`, data in `/var/lib/mysql`. */
  public static mysql(): ImagePreset {
    return new ImagePreset({
      name: 'mysql',
      user: 999,
      group: 999,
      writablePaths: ['/var/run/mysqld'],
      dataPath: '/var/lib/mysql',
      port: 3306,
      arbitraryUser: true,
      notes: 'docker-library/mysql: groupadd --system --gid 999 mysql; useradd --system --uid 999 --gid 999 mysql; runs under an arbitrary --user whose data directory is writable',
    });
  }

  /** Official `mongo` image: user `mongodb` 999:999, data in `/data/db`, config in `/data/configdb`. */
  public static mongo(): ImagePreset {
    return new ImagePreset({
      name: 'mongo',
      user: 999,
      group: 999,
      writablePaths: ['/data/configdb'],
      dataPath: '/data/db',
      port: 27017,
      notes: 'docker-library/mongo: groupadd --gid 999 --system mongodb; useradd --uid 999 --system --gid mongodb',
    });
  }

  /**
   * Official `nginx` image (Debian and Alpine): user `nginx` 101:101. The image starts as root
   * and its workers switch to `nginx`; run directly as 101, the master writes its temp files
   * in `/var/cache/nginx` and its pid file in `/var/run` (`/run`), and it listens on port 80
   * (below 1024: set the pod sysctl `net.ipv4.ip_unprivileged_port_start`, which `harden`
   * adds). `nginxinc/nginx-unprivileged` avoids both.
   */
  public static nginx(): ImagePreset {
    return new ImagePreset({
      name: 'nginx',
      user: 101,
      group: 101,
      writablePaths: ['/var/cache/nginx', '/var/run'],
      port: 80,
      notes: 'docker-library/nginx: groupadd --system --gid 101 nginx; useradd --system --gid nginx --uid 101 nginx (Alpine: addgroup -g 101, adduser -u 101); '
        + 'nginx.conf: pid in /var/run (/run), temp paths in /var/cache/nginx',
    });
  }

  /**
   * Official `httpd` image, Debian variant: user `www-data` 33:33 (Debian's). The image starts as
   * root and its children switch to `daemon`; run directly as a non-root user, Apache writes its
   * pid file (and the cgid socket) in `/usr/local/apache2/logs` and listens on port 80.
   */
  public static httpd(): ImagePreset {
    return new ImagePreset({
      name: 'httpd',
      user: 33,
      group: 33,
      writablePaths: ['/usr/local/apache2/logs'],
      port: 80,
      notes: 'docker-library/httpd: Debian base (www-data 33:33); httpd.conf: PidFile logs/httpd.pid under ServerRoot /usr/local/apache2, logs to stdout/stderr',
    });
  }

  /** Official `httpd` image, Alpine variant: user `www-data` 82:82 (Alpine's standard www-data IDs). */
  public static httpdAlpine(): ImagePreset {
    return new ImagePreset({
      ...ImagePreset.httpd().props,
      name: 'httpd-alpine',
      user: 82,
      group: 82,
      notes: 'docker-library/httpd Alpine: addgroup -g 82 -S www-data; adduser -u 82 -D -S -G www-data www-data',
    });
  }

  /** Official `mariadb` image: user `mysql` 999:999, socket and pid in `/run/mysqld`, data in `/var/lib/mysql`. */
  public static mariadb(): ImagePreset {
    return new ImagePreset({
      name: 'mariadb',
      user: 999,
      group: 999,
      writablePaths: ['/run/mysqld'],
      dataPath: '/var/lib/mysql',
      port: 3306,
      arbitraryUser: true,
      notes: 'docker-library/mariadb: groupadd -r -g 999 mysql; useradd -r -g mysql -u 999 mysql; runs under an arbitrary --user whose data directory is writable',
    });
  }

  /** Official `rabbitmq` image, Debian/Ubuntu variant: user `rabbitmq` 999:999, data (and the Erlang cookie) in `/var/lib/rabbitmq`. */
  public static rabbitmq(): ImagePreset {
    return new ImagePreset({
      name: 'rabbitmq',
      user: 999,
      group: 999,
      dataPath: '/var/lib/rabbitmq',
      port: 5672,
      notes: 'docker-library/rabbitmq Ubuntu: groupadd --gid 999 --system rabbitmq; useradd --uid 999 --system --gid rabbitmq rabbitmq',
    });
  }

  /** Official `memcached` image: `USER memcache`, 11211:11211 (it writes nothing to disk). */
  public static memcached(): ImagePreset {
    return new ImagePreset({
      name: 'memcached',
      user: 11211,
      group: 11211,
      port: 11211,
      notes: 'docker-library/memcached: groupadd --system --gid 11211 memcache; useradd --system --gid memcache --uid 11211 memcache',
    });
  }

  /**
   * Google's distroless images with a `nonroot` tag (`gcr.io/distroless/static:nonroot`,
   * `gcr.io/distroless/base-debian12:debug-nonroot`, …): `USER 65532` ("nonroot"), group 65532. The
   * other tags (`latest`, `debug`) run as root and have no preset.
   */
  public static distrolessNonroot(): ImagePreset {
    return new ImagePreset({
      name: 'distroless-nonroot',
      user: 65532,
      group: 65532,
      notes: 'GoogleContainerTools/distroless: the nonroot tags run as nonroot, uid/gid 65532',
    });
  }

  /**
   * Chainguard images that run as `nonroot`, 65532:65532 (their apko config says `run-as: 65532`):
   * `ImagePreset.forImage` knows `cgr.dev/chainguard/` `static`, `nginx`, `node`, `python`,
   * `grafana`, `mariadb` and `kafka`. Other Chainguard images have no preset: several run as another
   * user (postgres starts as root and switches to 70; jenkins and nifi run as 1000, airflow as 50000)
   * or as root (wolfi-base, falco, CSI drivers).
   */
  public static chainguard(): ImagePreset {
    return new ImagePreset({
      name: 'chainguard',
      user: 65532,
      group: 65532,
      notes: 'chainguard-images: "the image runs as nonroot and GID/UID are set to 65532" (exceptions use an ecosystem user, e.g. postgres)',
    });
  }

  /**
   * The preset of a well-known image reference, e.g. `postgres:17-alpine` (the Alpine variant),
   * `docker.io/library/redis:7`, `quay.io/prometheus/prometheus@sha256:...`: matched on the
   * repository (without `docker.io/` and `library/`), and on the tag for Alpine variants (a digest
   * without a tag of such an image has no preset); `gcr.io/distroless/*:*nonroot*` by image pattern
   * (the syntax of `RootlessHardeningProps.imageUsers`).
   *
   * @param image the container image reference
   * @returns the preset, or undefined when the image is not a well-known one
   */
  public static forImage(image: string): ImagePreset | undefined {
    return imageEntry(image)?.preset();
  }

  /**
   * Whether the image of a well-known reference declares a numeric, non-root USER of its own (then
   * `runAsNonRoot` without `runAsUser` starts); false for an image without USER (root, e.g. node,
   * postgres) or with a named one (`USER nobody`, which the kubelet cannot verify), and for an
   * unknown image.
   * @internal
   */
  public static _hasNumericUser(image: string): boolean {
    const entry = imageEntry(image);
    // with a digest, the runtime pulls the digest and ignores the tag: a tag that selects the preset says nothing then
    const byTag = entry?.tag !== undefined || (entry?.patterns ?? []).some(p => parseImageReference(p).tag !== undefined);
    return entry?.numericUser === true && !(byTag && parseImageReference(image).digest !== undefined);
  }

  /**
   * A preset for any other image.
   */
  public static of(props: ImagePresetProps): ImagePreset {
    return new ImagePreset(props);
  }

  /** The numeric UID the image runs as. */
  public readonly user: number;
  /** The numeric primary GID. */
  public readonly group: number;
  /** The GID given to volumes. */
  public readonly fsGroup: number;
  /** Paths the image writes to at run time (besides `/tmp` and its data path). */
  public readonly writablePaths: string[];
  /** Whether the image also runs under another UID whose data directory is writable (see `ImagePresetProps.arbitraryUser`). */
  public readonly arbitraryUser: boolean;

  private constructor(private readonly props: ImagePresetProps) {
    this.user = props.user;
    this.group = props.group;
    this.fsGroup = props.fsGroup ?? props.group;
    this.writablePaths = [...props.writablePaths ?? []];
    this.arbitraryUser = props.arbitraryUser === true;
  }

  /**
   * How the preset is written in code: `ImagePreset.postgresAlpine()` for a well-known image, else
   * `ImagePreset.of({ name: "..." })`. For messages.
   * @internal
   */
  public get _source(): string {
    const factory = this.props.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const builtIn = (ImagePreset as any)[factory];
    return typeof builtIn === 'function' && factory !== 'of' && factory !== 'forImage' && builtIn().name === this.props.name
      && builtIn().user === this.user
      ? `ImagePreset.${factory}()` : `ImagePreset.of({ name: ${JSON.stringify(this.props.name)} })`;
  }

  /** A short name, e.g. `postgres-alpine`. */
  public get name(): string {
    return this.props.name;
  }

  /**
   * Where the image keeps persistent data (mount a PersistentVolumeClaim here).
   * @default - none
   */
  public get dataPath(): string | undefined {
    return this.props.dataPath;
  }

  /**
   * The port the image listens on.
   * @default - none
   */
  public get port(): number | undefined {
    return this.props.port;
  }

  /**
   * Where the facts come from.
   * @default - none
   */
  public get notes(): string | undefined {
    return this.props.notes;
  }
}

/** The Chainguard images (`cgr.dev/chainguard/NAME`) whose apko config was checked to run as 65532 (`run-as: 65532`). */
const CHAINGUARD_NONROOT = ['static', 'nginx', 'node', 'python', 'grafana', 'mariadb', 'kafka'];

/** The entry of `IMAGES` that an image reference matches (`ImagePreset.forImage`). */
function imageEntry(image: string): typeof IMAGES[number] | undefined {
  if (typeof image !== 'string') return undefined;
  // a pure function of the reference and the fixed table: looked up once per reference (an app repeats its images)
  if (ENTRIES.has(image)) return ENTRIES.get(image);
  if (ENTRIES.size >= 1024) ENTRIES.clear();
  const entry = findEntry(image);
  ENTRIES.set(image, entry);
  return entry;
}

/** The entry of each image reference looked up (bounded). */
const ENTRIES = new Map<string, typeof IMAGES[number] | undefined>();

function findEntry(image: string): typeof IMAGES[number] | undefined {
  const { repository, tag, digest } = parseImageReference(image);
  // a digest without a tag may be any variant of an image whose variants differ (postgres: 999 or 70): none is guessed
  if (tag === undefined && digest !== undefined && IMAGES.some(i => i.tag !== undefined && i.repositories.includes(repository))) return undefined;
  return IMAGES.find(i => (i.repositories.includes(repository) && (i.tag === undefined || i.tag.test(tag ?? '')))
    || (i.patterns ?? []).some(p => matchesImage(p, image)));
}

/**
 * The image repositories each preset matches (`ImagePreset.forImage`), as data: the repository
 * without registry `docker.io/`, `library/`, tag and digest; `tag` selects a variant. The first
 * entry that matches wins (variants before their base image). `numericUser`: the image declares a
 * numeric non-root USER (its Dockerfile / apko config), so runAsNonRoot alone starts it; the
 * others have no USER (root) or a named one.
 */
const IMAGES: readonly {
  readonly repositories: readonly string[];
  readonly tag?: RegExp;
  readonly patterns?: readonly string[];
  readonly numericUser?: true;
  readonly preset: () => ImagePreset | undefined;
}[] = [
  { repositories: ['postgres'], tag: /alpine/, preset: () => ImagePreset.postgresAlpine() },
  { repositories: ['postgres'], preset: () => ImagePreset.postgres() },
  { repositories: ['redis'], tag: /alpine/, preset: () => ImagePreset.redisAlpine() },
  { repositories: ['redis'], preset: () => ImagePreset.redis() },
  // numericUser is left out where an older tag may differ (grafana 7 had USER grafana, a name): the preset's UID is then written
  { repositories: ['nginxinc/nginx-unprivileged'], preset: () => ImagePreset.nginxUnprivileged() },
  { repositories: ['docker.elastic.co/elasticsearch/elasticsearch', 'elasticsearch'], preset: () => ImagePreset.elasticsearch() },
  { repositories: ['grafana/grafana'], preset: () => ImagePreset.grafana() },
  // USER nobody: a name
  { repositories: ['prom/prometheus', 'quay.io/prometheus/prometheus'], preset: () => ImagePreset.prometheus() },
  { repositories: ['node'], preset: () => ImagePreset.node() },
  { repositories: ['mysql'], preset: () => ImagePreset.mysql() },
  { repositories: ['mongo'], preset: () => ImagePreset.mongo() },
  { repositories: ['nginx'], preset: () => ImagePreset.nginx() },
  { repositories: ['httpd'], tag: /alpine/, preset: () => ImagePreset.httpdAlpine() },
  { repositories: ['httpd'], preset: () => ImagePreset.httpd() },
  { repositories: ['mariadb'], preset: () => ImagePreset.mariadb() },
  // the Alpine variant's user differs and is not a preset
  { repositories: ['rabbitmq'], tag: /^(?![\s\S]*alpine)/, preset: () => ImagePreset.rabbitmq() },
  // USER memcache: a name
  { repositories: ['memcached'], preset: () => ImagePreset.memcached() },
  // distroless: user = "%d" % NONROOT (65532) in its BUILD rules
  { repositories: [], patterns: ['gcr.io/distroless/*:*nonroot*'], numericUser: true, preset: () => ImagePreset.distrolessNonroot() },
  // Chainguard: only images whose apko config says run-as: 65532 (chainguard-images/images, images/*/config). Not a
  // wildcard: many run as another user (postgres 70, jenkins 1000, nifi 1000, airflow 50000) or as root (wolfi-base,
  // falco, CSI drivers); those have no preset
  { repositories: CHAINGUARD_NONROOT.map(n => `cgr.dev/chainguard/${n}`), numericUser: true, preset: () => ImagePreset.chainguard() },
];
