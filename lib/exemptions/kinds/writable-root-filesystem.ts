/**
 * writableRootFilesystem: the container's root filesystem may be writable
 * (`readOnlyRootFilesystem: false`). Not a Pod Security check: relaxes the rootless rule
 * readOnlyRootFilesystem only.
 */
import type { KindDeclaration } from '../effects';
import { ExemptionKind } from '../exemption-kind';

export const WRITABLE_ROOT_FILESYSTEM: KindDeclaration = {
  id: ExemptionKind.WRITABLE_ROOT_FILESYSTEM,
  podOnly: false,
  relaxes: ['readOnlyRootFilesystem'],
  effects: [{ level: 'container', field: 'readOnlyRootFilesystem', hardened: true, relaxed: false, unset: 'relaxed', needed: 'needs a writable root filesystem' }],
  cel: {},
  hint: 'writablePaths, or Exemption.writableRootFilesystem(reason, { container })',
};
