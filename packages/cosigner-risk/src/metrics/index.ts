/** Co-signer metrics: Prometheus registry and server, InfluxDB line-protocol push. */
export * from './registry.ts';
export * from './influx.ts';
