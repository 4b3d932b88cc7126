/**
 * Which files are Dockerfiles (the reader of every audit asks; the image checks themselves,
 * `dockerfile.ts`, are loaded only when a Dockerfile is read).
 */

/**
 * Whether a file name is a Dockerfile: `Dockerfile`, `Containerfile`, `*.Dockerfile`,
 * `*.Containerfile`, `Dockerfile.*`, `Containerfile.*` — but not `*.dockerignore` and not
 * manifests (`Dockerfile.yaml` stays a manifest).
 */
export function isDockerfileName(basename: string): boolean {
  if (/\.(ya?ml|json|dockerignore)$/i.test(basename)) return false;
  return /^(Dockerfile|Containerfile)(\..+)?$/.test(basename) || /.\.(Dockerfile|Containerfile)$/.test(basename);
}
