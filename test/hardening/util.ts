import { Chart, Testing } from 'cdk8s';
import { RootlessAnnotations } from '../../lib';

/** Synthesizes (validation included) a chart built by `build` and returns its pod manifests. */
export function synthPods(build: (chart: Chart) => void): any[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart).filter((o: any) => o.kind === 'Pod');
}

/** The single pod a chart built by `build` synthesizes to. */
export function synthPod(build: (chart: Chart) => void): any {
  const pods = synthPods(build);
  expect(pods).toHaveLength(1);
  return pods[0];
}

/** The synthesis error message of a chart built by `build`. */
export function synthError(build: (chart: Chart) => void): string {
  const chart = Testing.chart();
  build(chart);
  try {
    Testing.synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis succeeded');
}

/** The construction error of `build`. */
export function constructionError(build: (chart: Chart) => void): string {
  try {
    build(Testing.chart());
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('construction succeeded');
}

export const level = (pod: any): string => pod.metadata.annotations[RootlessAnnotations.PSS_LEVEL];
export const exemptions = (pod: any): any[] => JSON.parse(pod.metadata.annotations[RootlessAnnotations.EXEMPTIONS]);
export const container = (pod: any, name: string): any =>
  [...pod.spec.initContainers ?? [], ...pod.spec.containers].find((c: any) => c.name === name);
export const REASON = 'a reason that is long enough for review';

/** Runs `fn` with process.stderr captured: its value and what it wrote there (applyTo's notes reporter prints on stderr). */
export function captureStderr<T>(fn: () => T): { value: T; stderr: string } {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const value = fn();
    return { value, stderr: spy.mock.calls.map(c => String(c[0])).join('') };
  } finally {
    spy.mockRestore();
  }
}
