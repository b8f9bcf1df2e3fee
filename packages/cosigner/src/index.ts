/**
 * @quorate/cosigner — the co-signer daemon (issue 6): configuration, identity, end-to-end
 * protected relay, job authorization, clique and risk checks, protocol runs, pairing and the
 * `quorate cosigner` commands. See README.md and docs/cosigner-operator.md.
 */
export { configSchema, ConfigError, loadConfig, parseConfig, sealSecretSource } from './config.ts';
export type { ConfigIssue, CosignerConfig, CosignerConfigInput } from './config.ts';
export {
  callbackSigningKey,
  createIdentity,
  generateIdentity,
  identityPublicKeyPem,
  IdentityError,
  loadIdentity,
  publicIdentity,
} from './identity.ts';
export type { Identity, PublicIdentity } from './identity.ts';
export { E2eError, E2E_VERSION, openFrame, sealFrame } from './e2e.ts';
export type { E2eFailure, PeerKeys } from './e2e.ts';
export { PinMismatchError, PinStore } from './pins.ts';
export {
  checkClique,
  checkParticipants,
  isValidClique,
  schemaOfCommittee,
  SigningSchemaError,
  validateSigningSchema,
} from './clique.ts';
export type { CliqueCheck, CliqueProblem, SigningSchema } from './clique.ts';
export {
  canonicalJson,
  JobError,
  jobHash,
  jobSchema,
  parseJob,
  verifyJobAuthorization,
} from './job.ts';
export type { Job, Participant } from './job.ts';
export { JobRunner } from './jobs.ts';
export type { JobEvent, OutFrame, RefusalCheck } from './jobs.ts';
export { backoffDelay, HubConnection, wsUrl } from './connection.ts';
export { Cosigner, mergeApproved, startDaemon } from './daemon.ts';
export { decodePairingToken, PairingError } from './pairing.ts';
export { cosignerCommand } from './cli.ts';
