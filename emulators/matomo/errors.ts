/**
 * Exceptions as Matomo 5.1.2 turns them into HTTP answers: access failures (NoAccessException)
 * answer 401, failures during authentication before the API runs answer 500, and every other
 * exception answers 200 with an error body, unknown methods included (the recordings show 200
 * where the 5.2 source would say 400).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number = 200,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const appError = (message: string) => new ApiError(message, 200);
export const noAccess = (message: string) => new ApiError(message, 401);

/** The recorded messages, in one place, with Matomo's exact wording. */
export const MSG = {
  pleaseSpecify: (name: string) => `Please specify a value for '${name}'.`,
  methodParamMissing: "The parameter 'method' isn't set in the Request, and a default value wasn't provided.",
  methodNameInvalid: "The method name is invalid. Expected 'module.methodName'",
  pluginNotEnabled: (module: string) => `The plugin ${module} is not enabled. You can activate the plugin on Settings > Plugins page in Matomo.`,
  methodNotFound: (method: string, module: string) =>
    `The method '${method}' does not exist or is not available in the module '\\Piwik\\Plugins\\${module}\\API'.`,
  tokenInvalidPost: "Unable to authenticate with the provided token. It is either invalid or expired.",
  tokenInvalidGet: "Unable to authenticate with the provided token. It is either invalid, expired or is required to be sent as a POST parameter.",
  tooManyFailedLogins: "Too many failed logins. Please wait and try logging in again later.",
  needsSuperUser: "You can't access this resource as it requires a 'superuser' access.",
  needsSomeView: "You can't access this resource as it requires view access for at least one website.",
  needsSomeAdmin: "You can't access this resource as it requires admin access for at least one website.",
  needsSiteAccess: (level: string, idSite: string | number) => `You can't access this resource as it requires '${level}' access for the website id = ${idSite}.`,
  unexpectedWebsite: (idSite: string) => `An unexpected website was found in the request: website id was set to '${idSite}' .`,
  siteNotFound: (idSite: string | number) => `website id = ${idSite} not found`,
  passwordRequired: "Please enter your password to confirm this change.",
  passwordWrong: "The current password you entered is not correct.",
  passwordTooWeak: "This password is too weak, please supply another value or reset it.",
  userDoesNotExist: (login: string) => `User '${login}' doesn't exist.`,
  nameInUse: "This name is already in use.",
} as const;
