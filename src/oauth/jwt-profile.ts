/** The JOSE `typ` of every Gatehouse JWT (RFC 9068 access tokens). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Tolerated clock difference between issuer and verifier, in seconds. */
export const CLOCK_SKEW_SECONDS = 30;
