export { isBlockedAddress } from './address-policy';
export { FetchFailure, type FetchFailureReason } from './fetch-failure';
export { type HostnameResolver, resolvePermitted } from './guarded-lookup';
export {
  type SafeFetchOptions,
  SafeHttpClient,
  type SafeHttpClientOptions,
  type SafeResponse,
} from './safe-http-client';
export { unopenedHeaders } from './unopened-secrets';
export { hasUrlCredentials, REDACTED, type RedactOptions, redactUrl } from './url-credentials';
