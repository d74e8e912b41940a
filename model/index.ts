export * from "./common";
export * from "./matomo";
export * from "./piwikpro";
export * from "./config";
export * from "./errors";
export * from "./loader";
export * from "./secrets";
export * from "./manifest";
