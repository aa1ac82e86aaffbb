export { isBlockedAddress } from './address-policy';
export { FetchFailure, type FetchFailureReason } from './fetch-failure';
export { type HostnameResolver } from './guarded-lookup';
export {
  type SafeFetchOptions,
  SafeHttpClient,
  type SafeHttpClientOptions,
  type SafeResponse,
} from './safe-http-client';
