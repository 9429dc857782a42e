/**
 * `@authbridge/harness`: how the project's own suites, the bench and `npm start` start what they
 * need. What users import for their tests is elsewhere and public: `@authbridge/verifier/testing`
 * and `authbridge.testing`.
 */
export { type RunningAuthServer, type SpawnedAuthServer, spawnAuthServer, startAuthServer } from "./auth-server.js";
export {
  type CliResult,
  clientsCli,
  clientToken,
  type IssuedClient,
  requestClientToken,
  type TokenReply,
} from "./clients.js";
export * from "./commands.js";
export { createPostgresDatabase, createRedisDatabase, type Database, POSTGRES_SKIP_NOTE } from "./engines.js";
export { type EventuallyOptions, eventually } from "./eventually.js";
export { type CaughtMail, linkIn, type MailCatcher, startMailCatcher } from "./mail.js";
export { freePort, listenOn, listenOnFreePort } from "./ports.js";
export {
  type EndingTools,
  endSession,
  type FeedReply,
  REVOCATIONS_PATH,
  type RevocationFeed,
  readRevocations,
  SESSION_ENDINGS,
  type SessionEnding,
  signInAgain,
} from "./revocation.js";
export {
  type ReadyOptions,
  type Service,
  type ServiceSpec,
  spawnService,
  startService,
  startServices,
  waitUntilReady,
} from "./service.js";
export {
  Authenticator,
  claimsOf,
  type Enrolled,
  enrolTotp,
  type MfaUser,
  postAuth,
  type SignedInWithCode,
  signInWithSecondFactor,
  signUpWithTotp,
  startSignIn,
  type TwoFactorReply,
} from "./two-factor.js";
export {
  fetchJwt,
  type NewUser,
  newUser,
  postFrom,
  type Reply,
  type SignedIn,
  signIn,
  signUp,
  signUpUser,
  type User,
} from "./users.js";
