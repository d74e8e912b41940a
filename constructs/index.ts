export * from "./exempt-stack";
export * from "./matomo";
export * from "./matomo-props";
export * from "./piwikpro";
export * from "./piwikpro-props";
export * from "./props";
export * from "./from-config";
export { AnalyticsInstance, MANIFEST_FILE } from "./analytics-instance";
