/** Auth and token error codes (the global filter maps each WardenError to its status). */
export const AuthErrorCode = {
  /** The role is too low for this route or this act (403). */
  Forbidden: 'forbidden',
  /** An engine-bound token acting on an engine outside its binding (403). */
  EngineNotBound: 'engine_not_bound',
  /** An engine-bound token acting on a domain outside its binding (403). */
  DomainNotBound: 'domain_not_bound',
  /** An engine token claiming a gate identity its binding does not name (403). */
  IdentityNotBound: 'identity_not_bound',
  /** engines/domains given for a role that is never bound (400): it would be stored and ignored. */
  BindingNotAllowed: 'binding_not_allowed',
  /** Another token already has this name, compared case-insensitively, revoked ones included (409). */
  TokenNameTaken: 'token_name_taken',
  /** The name is one Warden records for its own acts (400). */
  TokenNameReserved: 'token_name_reserved',
  /** A session-cookie request with an unsafe method without the session's X-CSRF-Token (403). */
  CsrfFailed: 'csrf_failed',
} as const;
