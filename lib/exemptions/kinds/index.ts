/**
 * Internal: every exemption kind module, listed once, in the order of the `ExemptionKind` enum. The
 * registry (../registry.ts) derives each kind's facets from its data (../effects.ts) and validates the
 * list when it loads. Adding a kind: docs/architecture.md, "How to add… an exemption kind".
 */
import type { KindDeclaration } from '../effects';
import { ADD_CAPABILITIES } from './add-capabilities';
import { HOST_IPC } from './host-ipc';
import { HOST_NETWORK } from './host-network';
import { HOST_PATH } from './host-path';
import { HOST_PID } from './host-pid';
import { PRIVILEGE_ESCALATION } from './privilege-escalation';
import { PRIVILEGED } from './privileged';
import { RUN_AS_ROOT } from './run-as-root';
import { SECCOMP_LOCALHOST } from './seccomp-localhost';
import { SECCOMP_UNCONFINED } from './seccomp-unconfined';
import { SERVICE_ACCOUNT_TOKEN } from './service-account-token';
import { WRITABLE_ROOT_FILESYSTEM } from './writable-root-filesystem';

/** The kind modules' declarations, in the order of the `ExemptionKind` enum. */
export const KIND_DECLARATIONS: readonly KindDeclaration[] = [
  RUN_AS_ROOT, WRITABLE_ROOT_FILESYSTEM, PRIVILEGE_ESCALATION, ADD_CAPABILITIES, SECCOMP_UNCONFINED, SECCOMP_LOCALHOST,
  PRIVILEGED, HOST_NETWORK, HOST_PID, HOST_IPC, HOST_PATH, SERVICE_ACCOUNT_TOKEN,
];
