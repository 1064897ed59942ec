// The limits the README states, in one place.
export const GRAPHQL_LIMITS = {
  /** Bytes of a GraphQL request body. */
  maxBodyBytes: 256 * 1024,
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 3000,
  maxDirectives: 20,
  // graphql-armor's cost units: the client page's full query costs about 31,000.
  maxCost: 60000,
};

/** Attempts per window, per client address (sign-in) or per user (key creation). */
export const RATE_LIMITS = {
  signIn: { points: 20, duration: 60 },
  keyCreation: { points: 30, duration: 60 },
};

/** GraphQL over WebSocket: a socket proves it speaks the protocol before it may hold memory. */
export const WEBSOCKET_LIMITS = {
  /** Bytes of one message, as for a request body. */
  maxPayloadBytes: GRAPHQL_LIMITS.maxBodyBytes,
  /** A socket that has not sent connection_init by then is closed (4408). */
  connectionInitTimeoutMs: 3000,
  /** Sockets per client address still waiting for their connection_init to be accepted; more are refused (429). */
  maxUnacknowledgedPerAddress: 20,
};
