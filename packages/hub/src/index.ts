/**
 * @quorate/hub — the self-hosted control plane (issue 7). Public entry point: re-exports the
 * server factory, the configuration schema and the storage layer as they land.
 */
export const HUB_PACKAGE = '@quorate/hub';
