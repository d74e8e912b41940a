/**
 * Matomo's HTML error page, which answers requests that are not API requests (no `module=API`)
 * and authentication failures when `module=API` was not in the query string. The markup is the
 * page a real Matomo 5.1.2 served (errors.json, seq 201), with the instance URL filled in.
 */
const HEAD = (base: string): string =>
  `<!DOCTYPE html>\n<html>\n<head>\n\t<meta charset="utf-8">\n\t<meta name="robots" content="noindex,nofollow">\n\t<title>Matomo &rsaquo; Error</title>\n\t<link rel="shortcut icon" href="misc/user/favicon.png" />\n\t<link rel="stylesheet" type="text/css" href="plugins/Morpheus/stylesheets/simple_structure.css" />\n</head>\n<body id="simple">\n\n<div class="logo">\n\t<img title="Matomo" alt="Matomo" style="height: 40px;" src="${base}plugins/Morpheus/images/logo.svg"/>\n</div>\n\n<div class="box">\n\n\t<div class="header">\n\t\t<h1>An error occurred</h1>\n\t</div>\n\n\t<div class="content"><h2>`;
const TAIL = "</h2><p><a href=\"javascript:window.history.back();\">Go Back</a> | <a href=\"index.php\">Go to Matomo</a></p>  <ul>\n                            <li><a rel=\"noreferrer noopener\" target=\"_blank\" href=\"https://matomo.org\">Matomo.org homepage</a></li>\n                            <li><a rel=\"noreferrer noopener\" target=\"_blank\" href=\"https://matomo.org/faq/\">Frequently Asked Questions</a></li>\n                            <li><a rel=\"noreferrer noopener\" target=\"_blank\" href=\"https://matomo.org/docs/\">User Guides</a></li>\n                            <li><a rel=\"noreferrer noopener\" target=\"_blank\" href=\"https://forum.matomo.org/\">Matomo Forums</a></li>\n                            <li><a rel=\"noreferrer noopener\" target=\"_blank\" href=\"https://matomo.org/support/\">Professional Support for Matomo</a></li>\n                            </ul>    </div>\n\n    <div class=\"footer\">\n        <a href=\"index.php\">&laquo; Back to Matomo</a>\n    </div>\n\n</div>\n</body>\n</html>\n\n";

export const HTML_CONTENT_TYPE = "text/html; charset=utf-8";
/** The error page also sends this header (recorded). */
export const HTML_ERROR_HEADERS = { "Cache-Control": "private, no-cache, no-store" };

/** Matomo's message when a superuser token is used outside the API. */
export const SUPERUSER_WIDGET_MESSAGE =
  'This user has super-user access. Embedding widgets with super-user token authentication is not allowed. <a href="https://matomo.org/faq/troubleshooting/faq_147/" rel="noreferrer noopener">Check the FAQ for more info.</a>';

/** `messageHtml` is inserted as HTML; escape plain text before passing it. */
export function errorPage(baseUrl: string, messageHtml: string): string {
  return HEAD(baseUrl) + messageHtml + TAIL;
}
